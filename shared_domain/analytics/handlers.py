"""Reactions to the orders and payments events (registered in AnalyticsConfig.ready):
each marks the (vendor, day) rollups the event touched as due and, for a pair not
marked yet, queues their recompute on the `analytics` queue — never inline: a
recompute reads a vendor's whole day under that vendor's lock, which the checkout
or payment that published the event must not wait for. Events arrive at least once
and in any order; a recompute is idempotent, so that is enough."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from shared_domain.analytics.services import recomputes_mark
from shared_domain.common.events import subscribe
from shared_domain.orders import selectors as orders
from shared_domain.orders.events import OrderStatusChanged, ReturnRequested
from shared_domain.payments import selectors as payments
from shared_domain.payments.events import PaymentSucceeded, RefundFailed, RefundSucceeded


def _queue(pairs: Iterable[tuple[int, dt.date]]) -> None:
    from shared_domain.analytics.tasks import recompute_days

    due = recomputes_mark(pairs=pairs)
    if due:
        recompute_days.enqueue(pairs=[[vendor, day.isoformat()] for vendor, day in due])


def order_changed(event: OrderStatusChanged) -> None:
    """Every placement and transition (paid, shipped, cancelled, refunded...) has a
    history row: the day of that row, for each vendor of the order."""
    _queue(orders.vendor_days_of_order(order_id=event.order_id, at=event.at))


def return_requested(event: ReturnRequested) -> None:
    """A return counts on the day it was opened, for its vendor."""
    _queue([(event.vendor_id, event.at.astimezone(dt.UTC).date())])


def payment_succeeded(event: PaymentSucceeded) -> None:
    """The sale and commission entries of the payment are in the ledger."""
    _queue(payments.ledger_vendor_days(payment_id=event.payment_id))


def refund_settled(event: RefundSucceeded | RefundFailed) -> None:
    """A refund's entries (or their reversal) are in the ledger."""
    _queue(payments.ledger_vendor_days(refund_id=event.refund_id))


def register() -> None:
    subscribe(OrderStatusChanged, order_changed)
    subscribe(ReturnRequested, return_requested)
    subscribe(PaymentSucceeded, payment_succeeded)
    subscribe(RefundSucceeded, refund_settled)
    subscribe(RefundFailed, refund_settled)
