"""Reactions to the orders and payments events (registered in AnalyticsConfig.ready):
each enqueues the recompute of the (vendor, day) rollups the event touched, on the
`analytics` queue — never inline: a recompute reads a vendor's whole day under that
vendor's lock, which the checkout or payment that published the event must not wait
for. Events arrive at least once and in any order; a recompute is idempotent, so
that is enough."""

from __future__ import annotations

from shared_domain.common.events import subscribe
from shared_domain.orders.events import OrderStatusChanged
from shared_domain.payments.events import PaymentSucceeded, RefundFailed, RefundSucceeded


def order_changed(event: OrderStatusChanged) -> None:
    """Every placement and transition (paid, shipped, cancelled, refunded...) has a
    history row: recompute the day of that row for each vendor of the order."""
    from shared_domain.analytics.tasks import recompute_order_days

    recompute_order_days.enqueue(order_id=event.order_id, at=event.at.isoformat())


def payment_succeeded(event: PaymentSucceeded) -> None:
    """The sale and commission entries of the payment are in the ledger."""
    from shared_domain.analytics.tasks import recompute_ledger_days

    recompute_ledger_days.enqueue(payment_id=event.payment_id)


def refund_settled(event: RefundSucceeded | RefundFailed) -> None:
    """A refund's entries (or their reversal) are in the ledger."""
    from shared_domain.analytics.tasks import recompute_ledger_days

    recompute_ledger_days.enqueue(refund_id=event.refund_id)


def register() -> None:
    subscribe(OrderStatusChanged, order_changed)
    subscribe(PaymentSucceeded, payment_succeeded)
    subscribe(RefundSucceeded, refund_settled)
    subscribe(RefundFailed, refund_settled)
