"""Tasks of the analytics context (queue `analytics`): recompute the (vendor, day)
rollups an event touched, off the path of the request that caused it."""

from __future__ import annotations

import datetime as dt

from shared_domain.analytics.services import rollups_recompute
from shared_domain.common.tasking import app_task
from shared_domain.orders import selectors as orders
from shared_domain.payments import selectors as payments


@app_task(queue="analytics", max_retries=5)
def recompute_order_days(*, order_id: int, at: str) -> int:
    """The days of a change of this order (at `at`, ISO 8601), for each of its vendors."""
    pairs = orders.vendor_days_of_order(order_id=order_id, at=dt.datetime.fromisoformat(at))
    return rollups_recompute(pairs=pairs)


@app_task(queue="analytics", max_retries=5)
def recompute_ledger_days(*, payment_id: int | None = None, refund_id: int | None = None) -> int:
    """The days of the ledger entries of a payment or a refund."""
    if payment_id is not None:
        return rollups_recompute(pairs=payments.ledger_vendor_days(payment_id=payment_id))
    return rollups_recompute(pairs=payments.ledger_vendor_days(refund_id=refund_id))
