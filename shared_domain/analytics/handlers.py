"""Reactions to the orders and payments events (registered in AnalyticsConfig.ready):
each recomputes the (vendor, day) rollups the event touched. Events arrive at least
once and in any order; a recompute is idempotent, so that is enough."""

from __future__ import annotations

from shared_domain.analytics.services import rollups_recompute
from shared_domain.common.events import subscribe
from shared_domain.orders import selectors as orders
from shared_domain.orders.events import OrderStatusChanged
from shared_domain.payments import selectors as payments
from shared_domain.payments.events import PaymentSucceeded, RefundFailed, RefundSucceeded


def order_changed(event: OrderStatusChanged) -> None:
    """Every placement and transition (paid, shipped, cancelled, refunded...) has a
    history row: recompute the day of that row for each vendor of the order."""
    rollups_recompute(pairs=orders.vendor_days_of_order(order_id=event.order_id, at=event.at))


def payment_succeeded(event: PaymentSucceeded) -> None:
    """The sale and commission entries of the payment are in the ledger."""
    rollups_recompute(pairs=payments.ledger_vendor_days(payment_id=event.payment_id))


def refund_settled(event: RefundSucceeded | RefundFailed) -> None:
    """A refund's entries (or their reversal) are in the ledger."""
    rollups_recompute(pairs=payments.ledger_vendor_days(refund_id=event.refund_id))


def register() -> None:
    subscribe(OrderStatusChanged, order_changed)
    subscribe(PaymentSucceeded, payment_succeeded)
    subscribe(RefundSucceeded, refund_settled)
    subscribe(RefundFailed, refund_settled)
