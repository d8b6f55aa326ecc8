"""Reads behind the reports: a vendor's (or the whole platform's) sales per day, week
or month, per product, the platform's top vendors, and the staff platform report.
Every figure comes from the daily rollups (and, for payment outcomes, the payments
selectors); product rows are fetched a chunk at a time so a report of any size is
written in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Max, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from shared_domain.accounts.selectors import store_names
from shared_domain.analytics.models import ProductDailyRollup, VendorDailyRollup
from shared_domain.analytics.selectors import (
    Period,
    Revenue,
    TopProduct,
    dashboard_orders_by_status,
    dashboard_revenue,
    rollup_filter,
)
from shared_domain.common.errors import ValidationFailed
from shared_domain.payments import selectors as payments
from shared_domain.payments.selectors import PaymentOutcomes

GRANULARITIES = ("day", "week", "month")


def report_granularity(value: str | None) -> str:
    """`day` (default), `week` (ISO weeks, from Monday) or `month`."""
    granularity = value or "day"
    if granularity not in GRANULARITIES:
        raise ValidationFailed(
            details={"granularity": ["One of day, week, month."]},
            message=f"Unknown granularity {granularity!r}.",
        )
    return granularity


@dataclass(frozen=True)
class SeriesPoint:
    """One bucket (its first day) of one currency."""

    start: Any
    currency: str
    gross: Decimal
    commission: Decimal
    refunded: Decimal
    net: Decimal
    placed: int
    paid: int
    cancelled: int


def sales_series(*, vendor_id: int | None, period: Period, granularity: str) -> list[SeriesPoint]:
    """Money and vendor orders per bucket and currency, oldest first (one query); a
    vendor's, or the platform's with `vendor_id=None`. Buckets without sales are left
    out (the chart draws them as zero)."""
    bucket = {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}[granularity]
    rows = (
        VendorDailyRollup.objects.filter(**rollup_filter(vendor_id, period))
        .annotate(bucket=bucket)
        .values_list("bucket", "currency")
        .annotate(
            gross=Sum("gross"),
            commission=Sum("commission"),
            refunded=Sum("refunded"),
            net=Sum("net"),
            placed=Sum("placed"),
            paid=Sum("paid"),
            cancelled=Sum("cancelled"),
        )
        .order_by("bucket", "currency")
    )
    return [
        SeriesPoint(start, currency, gross, commission, refunded, net, placed, paid, cancelled)
        for start, currency, gross, commission, refunded, net, placed, paid, cancelled in rows
    ]


def product_sales_iter(
    *, vendor_id: int, period: Period, chunk_size: int = 2000
) -> Iterator[TopProduct]:
    """Each product the vendor sold in the period, per currency, best revenue first,
    fetched `chunk_size` rows at a time (one query)."""
    rows = (
        ProductDailyRollup.objects.filter(**rollup_filter(vendor_id, period))
        .values_list("product_id", "currency")
        .annotate(units=Sum("units"), revenue=Sum("revenue"), title=Max("title"))
        .order_by("-revenue", "product_id", "currency")
    )
    for product_id, currency, units, revenue, title in rows.iterator(chunk_size=chunk_size):
        yield TopProduct(product_id, title, currency, int(units), revenue)


@dataclass(frozen=True)
class VendorFigure:
    vendor_id: int
    name: str
    currency: str
    gross: Decimal
    commission: Decimal
    paid_orders: int


def top_vendors(*, period: Period, limit: int) -> list[VendorFigure]:
    """The vendors with the most sales in the period, per currency (two queries: the
    sums, then the store names of the few listed)."""
    rows = list(
        VendorDailyRollup.objects.filter(**rollup_filter(None, period))
        .values_list("vendor_id", "currency")
        .annotate(gross=Sum("gross"), commission=Sum("commission"), paid=Sum("paid"))
        .filter(gross__gt=0)
        .order_by("-gross", "vendor_id", "currency")[:limit]
    )
    names = store_names(vendor_ids=[row[0] for row in rows]) if rows else {}
    return [
        VendorFigure(vendor_id, names.get(vendor_id, ""), currency, gross, commission, int(paid))
        for vendor_id, currency, gross, commission, paid in rows
    ]


@dataclass(frozen=True)
class PlatformReport:
    """What the marketplace did over a period: GMV (gross), commission, refunds and
    net per currency; vendor orders by status; the top vendors; payment attempts by
    outcome (the failure rate) and refunds; and the series behind the chart."""

    period: Period
    granularity: str
    revenue: list[Revenue]
    orders_by_status: dict[str, int]
    top_vendors: list[VendorFigure]
    payments: PaymentOutcomes
    series: list[SeriesPoint]


def platform_report(*, period: Period, granularity: str = "day") -> PlatformReport:
    """The staff platform report (six queries, whatever the number of vendors)."""
    return PlatformReport(
        period=period,
        granularity=granularity,
        revenue=dashboard_revenue(vendor_id=None, period=period),
        orders_by_status=dashboard_orders_by_status(vendor_id=None, period=period),
        top_vendors=top_vendors(period=period, limit=int(settings.ANALYTICS_TOP_VENDORS)),
        payments=payments.payment_outcomes(start=period.start, end=period.end),
        series=sales_series(vendor_id=None, period=period, granularity=granularity),
    )
