"""Reads for the analytics context: what one vendor's orders did on one day (UTC), from
the status history, and which (vendor, day) pairs have any history at all (for a full
rebuild). The analytics context keeps daily rollups of these figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate

from shared_domain.orders.lifecycle import Status
from shared_domain.orders.models import OrderItem, OrderStatusChange, VendorOrder


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


@dataclass(frozen=True)
class StatusFigure:
    """Vendor orders that reached `status` that day, and their subtotal."""

    currency: str
    status: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class ProductFigure:
    """Units and revenue of one product in the vendor orders paid that day."""

    product_id: int
    title: str
    currency: str
    units: int
    revenue: Decimal


def vendor_day_status_figures(*, vendor_id: int, day: dt.date) -> list[StatusFigure]:
    """Placements (the order's first history row) and every transition of the vendor's
    parts that day, per currency and status (two queries)."""
    window = day_bounds(day)
    placed = (
        VendorOrder.objects.filter(
            vendor_id=vendor_id,
            order__history__vendor_order__isnull=True,
            order__history__from_status="",
            order__history__created_at__gte=window[0],
            order__history__created_at__lt=window[1],
        )
        .values_list("order__currency")
        .annotate(n=Count("id"), amount=Sum("subtotal"))
        .order_by()
    )
    moved = (
        OrderStatusChange.objects.filter(
            vendor_order__vendor_id=vendor_id, created_at__gte=window[0], created_at__lt=window[1]
        )
        .exclude(from_status="")
        .values_list("order__currency", "to_status")
        .annotate(n=Count("id"), amount=Sum("vendor_order__subtotal"))
        .order_by()
    )
    figures = [
        StatusFigure(currency, "placed", n, amount or Decimal(0)) for currency, n, amount in placed
    ]
    figures += [
        StatusFigure(currency, status, n, amount or Decimal(0))
        for currency, status, n, amount in moved
    ]
    return figures


def vendor_day_product_figures(*, vendor_id: int, day: dt.date) -> list[ProductFigure]:
    """Per product, what the vendor's parts paid that day sold (one query)."""
    window = day_bounds(day)
    rows = (
        OrderItem.objects.filter(
            vendor_order__vendor_id=vendor_id,
            vendor_order__history__to_status=Status.PAID,
            vendor_order__history__created_at__gte=window[0],
            vendor_order__history__created_at__lt=window[1],
        )
        .values_list("product_id", "currency")
        .annotate(units=Sum("quantity"), revenue=Sum("line_total"), title=Max("title"))
        .order_by("product_id", "currency")
    )
    return [
        ProductFigure(product_id, title, currency, int(units or 0), revenue or Decimal(0))
        for product_id, currency, units, revenue, title in rows
    ]


def vendor_days_of_order(*, order_id: int, at: dt.datetime) -> set[tuple[int, dt.date]]:
    """The (vendor, day) pairs a change of this order at `at` touches (one query)."""
    day = at.astimezone(dt.UTC).date()
    return {
        (vendor_id, day)
        for vendor_id in VendorOrder.objects.filter(order_id=order_id).values_list(
            "vendor_id", flat=True
        )
    }


def vendor_days_with_history() -> Iterator[tuple[int, dt.date]]:
    """Every (vendor, day) with a status change of one of the vendor's orders."""
    rows = (
        OrderStatusChange.objects.filter(Q(vendor_order__isnull=False) | Q(from_status=""))
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values_list("order__vendor_orders__vendor_id", "day")
        .distinct()
        .order_by()
    )
    yield from rows.iterator(chunk_size=2000)
