"""Writes of the analytics context: recompute one vendor's day from its sources.

Why recompute rather than add each event's amounts: handlers run at least once and in
any order, so an increment keyed by the event would need a processed-events table and
still depend on the event carrying every figure. A recompute is idempotent by
construction (running it twice writes the same rows) and order-free. Under
concurrency, recomputes of one vendor are serialised by a transaction-scoped advisory
lock taken *before* the sources are read: each event's handler runs after its source
transaction committed, so the recompute that runs last for a (vendor, day) reads
every committed change of that day, and no stale read can overwrite a newer one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from shared_domain.analytics.models import (
    PendingRecompute,
    ProductDailyRollup,
    VendorAnalyticsSettings,
    VendorDailyRollup,
)
from shared_domain.common.errors import ValidationFailed
from shared_domain.orders import selectors as orders
from shared_domain.payments import selectors as payments
from shared_domain.payments.money import to_major

# The first key of the advisory lock (the vendor's id is the second): "an".
_LOCK_NAMESPACE = 0x616E
LOW_STOCK_THRESHOLD_MAX = 100_000

_STATUS_FIELDS = {
    "placed": "placed",
    "paid": "paid",
    "processing": "processing",
    "shipped": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "refunded": "refunded_orders",
    "partially_refunded": "refunded_orders",
}


def _vendor_lock(vendor_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, vendor_id])


def _day_rows(vendor_id: int, day: dt.date) -> list[VendorDailyRollup]:
    rows: dict[str, VendorDailyRollup] = {}

    def row(currency: str) -> VendorDailyRollup:
        if currency not in rows:
            rows[currency] = VendorDailyRollup(vendor_id=vendor_id, day=day, currency=currency)
        return rows[currency]

    for figure in orders.vendor_day_status_figures(vendor_id=vendor_id, day=day):
        field = _STATUS_FIELDS.get(figure.status)
        if field is None:
            continue
        target = row(figure.currency)
        setattr(target, field, getattr(target, field) + figure.count)
        if figure.status == "paid":
            target.paid_amount += figure.amount
        elif figure.status == "cancelled":
            target.cancelled_amount += figure.amount
    ledger: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in payments.ledger_day_figures(vendor_id=vendor_id, day=day):
        ledger[entry.currency][entry.kind] += entry.amount
    for delivered in orders.vendor_day_delivered_units(vendor_id=vendor_id, day=day):
        row(delivered.currency).delivered_units += delivered.units
    for returned in orders.vendor_day_return_figures(vendor_id=vendor_id, day=day):
        target = row(returned.currency)
        target.returned_units += returned.units
        field = f"returns_{returned.reason}"
        setattr(target, field, getattr(target, field) + returned.units)
    for currency, kinds in ledger.items():
        target = row(currency)
        target.gross = to_major(kinds["sale"], currency)
        target.commission = to_major(-kinds["commission"] - kinds["commission_reversal"], currency)
        target.refunded = to_major(-kinds["refund"], currency)
        target.net = target.gross - target.commission - target.refunded
    return [r for r in rows.values() if _nonzero(r)]


def _nonzero(row: VendorDailyRollup) -> bool:
    return any(
        getattr(row, field) for field in (*_STATUS_FIELDS.values(), "gross", "commission",
                                           "refunded", "paid_amount", "cancelled_amount",
                                           "delivered_units", "returned_units")
    )  # fmt: skip


@transaction.atomic
def rollup_recompute(*, vendor_id: int, day: dt.date) -> None:
    """Replace the vendor's rollups of `day` with figures read from the orders
    history, its returns and the ledger (seven queries after the lock). Safe to run any number of
    times, concurrently, in any order."""
    _vendor_lock(vendor_id)
    rows = _day_rows(vendor_id, day)
    products = [
        ProductDailyRollup(
            vendor_id=vendor_id,
            product_id=f.product_id,
            day=day,
            currency=f.currency,
            title=f.title,
            units=f.units,
            revenue=f.revenue,
        )
        for f in orders.vendor_day_product_figures(vendor_id=vendor_id, day=day)
    ]
    VendorDailyRollup.objects.filter(vendor_id=vendor_id, day=day).delete()
    ProductDailyRollup.objects.filter(vendor_id=vendor_id, day=day).delete()
    VendorDailyRollup.objects.bulk_create(rows)
    ProductDailyRollup.objects.bulk_create(products)


def rollups_recompute(*, pairs: Iterable[tuple[int, dt.date]]) -> int:
    """Recompute each (vendor, day), each in its own transaction; returns how many."""
    done = 0
    for vendor_id, day in sorted(set(pairs)):
        rollup_recompute(vendor_id=vendor_id, day=day)
        done += 1
    return done


def rollups_rebuild() -> int:
    """Recompute every (vendor, day) with history or ledger entries and drop rollups
    of any other day (nothing to show there). Returns the days recomputed."""
    pairs = (
        set(orders.vendor_days_with_history())
        | set(orders.vendor_days_with_returns())
        | payments.ledger_vendor_days()
    )
    keep = {(vendor_id, day) for vendor_id, day in pairs if vendor_id is not None}
    stale = set(VendorDailyRollup.objects.values_list("vendor_id", "day")) | set(
        ProductDailyRollup.objects.values_list("vendor_id", "day")
    )
    for vendor_id, day in stale - keep:
        with transaction.atomic():
            _vendor_lock(vendor_id)
            VendorDailyRollup.objects.filter(vendor_id=vendor_id, day=day).delete()
            ProductDailyRollup.objects.filter(vendor_id=vendor_id, day=day).delete()
    return rollups_recompute(pairs=keep)


def recomputes_mark(*, pairs: Iterable[tuple[int, dt.date]]) -> list[tuple[int, dt.date]]:
    """Mark (vendor, day) pairs as due for a recompute, in one statement; return the
    pairs that were not marked yet: a task must be queued for those (the others have
    one queued that has not started reading)."""
    wanted = sorted(set(pairs))
    if not wanted:
        return []
    table = PendingRecompute._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (vendor_id, day) "  # noqa: S608 - the model's own table # nosec B608
            "SELECT * FROM unnest(%s::bigint[], %s::date[]) "
            "ON CONFLICT DO NOTHING RETURNING vendor_id, day",
            [[vendor for vendor, _ in wanted], [day for _, day in wanted]],
        )
        return sorted((vendor, day) for vendor, day in cursor.fetchall())


def marked_recompute(*, vendor_id: int, day: dt.date) -> None:
    """Take the mark off, committed, then recompute: an event committed before the mark
    went is read by this recompute; one after it marks the day again and queues
    another."""
    PendingRecompute.objects.filter(vendor_id=vendor_id, day=day).delete()
    rollup_recompute(vendor_id=vendor_id, day=day)


def low_stock_threshold_set(*, vendor_id: int, threshold: int | None) -> int:
    """Set the vendor's low-stock threshold (units available at or below which a
    variant is low stock), or with None go back to ANALYTICS_LOW_STOCK_THRESHOLD.
    Returns the threshold in force."""
    if threshold is None:
        VendorAnalyticsSettings.objects.filter(vendor_id=vendor_id).delete()
        return int(settings.ANALYTICS_LOW_STOCK_THRESHOLD)
    if not 0 <= threshold <= LOW_STOCK_THRESHOLD_MAX:
        raise ValidationFailed(
            details={
                "low_stock_threshold": [f"A whole number from 0 to {LOW_STOCK_THRESHOLD_MAX}."]
            },
            message="The low-stock threshold is out of range.",
        )
    VendorAnalyticsSettings.objects.update_or_create(
        vendor_id=vendor_id, defaults={"low_stock_threshold": threshold}
    )
    return threshold
