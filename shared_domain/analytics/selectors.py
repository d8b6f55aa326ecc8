"""Reads of the analytics context: the vendor dashboard's figures over a period, each
from the daily rollups in one query (so they can run at the same time on
connections of their own), and the period itself from the request's words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Max, Sum
from django.utils import timezone

from shared_domain.accounts.selectors import Account, vendor_profile_id_for_user
from shared_domain.analytics.models import (
    ProductDailyRollup,
    VendorAnalyticsSettings,
    VendorDailyRollup,
)
from shared_domain.catalog import selectors as catalog
from shared_domain.catalog.selectors import LowStockVariant
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.payments import selectors as payments
from shared_domain.payments.money import to_major

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
STATUSES = ("placed", "paid", "processing", "shipped", "delivered", "cancelled", "refunded")


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            details={name: ["A date as YYYY-MM-DD."]}, message=f"Bad `{name}` date."
        ) from None


def dashboard_period(
    *, period: str | None, start: str | None, end: str | None, today: dt.date | None = None
) -> Period:
    """`period` (7d, 30d, 90d: the last n days to today) or `from`/`to` (YYYY-MM-DD,
    inclusive, at most ANALYTICS_MAX_PERIOD_DAYS). Neither: the last 30 days."""
    today = today or timezone.now().astimezone(dt.UTC).date()
    if start is not None or end is not None:
        if period not in (None, "", "custom"):
            raise ValidationFailed(
                details={"period": ["Give `period` or `from`/`to`, not both."]},
                message="Give `period` or `from`/`to`, not both.",
            )
        if start is None or end is None:
            missing = "from" if start is None else "to"
            raise ValidationFailed(
                details={missing: ["Required with a custom period."]},
                message="A custom period needs both `from` and `to`.",
            )
        first, last = _date(start, "from"), _date(end, "to")
        if first > last:
            raise ValidationFailed(
                details={"from": ["Must not be after `to`."]}, message="`from` is after `to`."
            )
        chosen = Period(first, last)
        limit = int(settings.ANALYTICS_MAX_PERIOD_DAYS)
        if chosen.days > limit:
            raise ValidationFailed(
                details={"to": [f"A period covers at most {limit} days."]},
                message=f"A period covers at most {limit} days.",
            )
        return chosen
    days = PERIODS.get(period or "30d")
    if days is None:
        raise ValidationFailed(
            details={"period": ["One of 7d, 30d, 90d (or `from` and `to`)."]},
            message=f"Unknown period {period!r}.",
        )
    return Period(today - dt.timedelta(days=days - 1), today)


def dashboard_vendor_id(*, user: Account) -> int:
    """The caller's store: only vendors have a dashboard (PermissionDenied)."""
    vendor_id = vendor_profile_id_for_user(user=user)
    if vendor_id is None:
        raise PermissionDenied("Only vendors have a dashboard.")
    return vendor_id


@dataclass(frozen=True)
class Revenue:
    currency: str
    gross: Decimal
    commission: Decimal
    refunded: Decimal
    net: Decimal
    paid_orders: int
    average_order_value: Decimal


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    title: str
    currency: str
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class TopProducts:
    by_revenue: list[TopProduct] = field(default_factory=list)
    by_units: list[TopProduct] = field(default_factory=list)


def rollup_filter(vendor_id: int | None, period: Period) -> dict[str, object]:
    """Filter of the rollups (vendor or product) of the period: one vendor's, or every
    vendor's with None."""
    days: dict[str, object] = {"day__gte": period.start, "day__lte": period.end}
    return days if vendor_id is None else {**days, "vendor_id": vendor_id}


def dashboard_revenue(*, vendor_id: int | None, period: Period) -> list[Revenue]:
    """Money per currency over the period, of a vendor or (None) the platform (one
    query)."""
    rows = (
        VendorDailyRollup.objects.filter(**rollup_filter(vendor_id, period))
        .values_list("currency")
        .annotate(
            gross=Sum("gross"),
            commission=Sum("commission"),
            refunded=Sum("refunded"),
            net=Sum("net"),
            paid=Sum("paid"),
            paid_amount=Sum("paid_amount"),
        )
        .order_by("currency")
    )
    cent = Decimal("0.01")
    return [
        Revenue(
            currency=currency,
            gross=gross,
            commission=commission,
            refunded=refunded,
            net=net,
            paid_orders=int(paid),
            average_order_value=(paid_amount / paid).quantize(cent) if paid else Decimal("0.00"),
        )
        for currency, gross, commission, refunded, net, paid, paid_amount in rows
    ]


def dashboard_orders_by_status(*, vendor_id: int | None, period: Period) -> dict[str, int]:
    """Vendor orders placed, or moved to each status, in the period (one query); of
    one vendor or (None) of the platform."""
    columns = {
        status: "refunded_orders" if status == "refunded" else status for status in STATUSES
    }
    totals = VendorDailyRollup.objects.filter(**rollup_filter(vendor_id, period)).aggregate(
        **{status: Sum(column) for status, column in columns.items()}
    )
    return {status: int(totals[status] or 0) for status in STATUSES}


def dashboard_top_products(*, vendor_id: int, period: Period) -> TopProducts:
    """The best sellers of the period by revenue and by units (one query: the
    products sold in a period are few next to their rollup rows)."""
    limit = int(settings.ANALYTICS_TOP_PRODUCTS)
    rows = (
        ProductDailyRollup.objects.filter(**rollup_filter(vendor_id, period))
        .values_list("product_id", "currency")
        .annotate(units=Sum("units"), revenue=Sum("revenue"), title=Max("title"))
        .order_by()
    )
    products = [
        TopProduct(product_id, title, currency, int(units), revenue)
        for product_id, currency, units, revenue, title in rows
    ]
    return TopProducts(
        by_revenue=sorted(products, key=lambda p: (-p.revenue, p.product_id))[:limit],
        by_units=sorted(products, key=lambda p: (-p.units, p.product_id))[:limit],
    )


RETURN_REASONS = ("too_small", "too_large", "not_as_described", "other")


@dataclass(frozen=True)
class ReturnReasonCount:
    reason: str
    units: int


@dataclass(frozen=True)
class Returns:
    """Units returned over units delivered in the period (null without deliveries),
    and the reasons, most units first."""

    rate: Decimal | None
    returned_units: int
    delivered_units: int
    top_reasons: list[ReturnReasonCount] = field(default_factory=list)


def dashboard_returns(*, vendor_id: int, period: Period) -> Returns:
    """Returns rate and reasons over the period (one query)."""
    totals = VendorDailyRollup.objects.filter(**rollup_filter(vendor_id, period)).aggregate(
        returned=Sum("returned_units"),
        delivered=Sum("delivered_units"),
        **{reason: Sum(f"returns_{reason}") for reason in RETURN_REASONS},
    )
    returned, delivered = int(totals["returned"] or 0), int(totals["delivered"] or 0)
    reasons = [ReturnReasonCount(r, int(totals[r] or 0)) for r in RETURN_REASONS]
    return Returns(
        rate=(Decimal(returned) / delivered).quantize(Decimal("0.0001")) if delivered else None,
        returned_units=returned,
        delivered_units=delivered,
        top_reasons=sorted((r for r in reasons if r.units), key=lambda r: -r.units),
    )


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


def dashboard_balance(*, vendor_id: int) -> list[Money]:
    """What the marketplace owes the vendor now, per currency, from the ledger."""
    return [
        Money(amount=to_major(b.amount, b.currency), currency=b.currency)
        for b in payments.vendor_balance_of(vendor_id=vendor_id)
    ]


def low_stock_threshold_setting(*, vendor_id: int) -> tuple[int, bool]:
    """The vendor's low-stock threshold and whether it is its own (else the default,
    ANALYTICS_LOW_STOCK_THRESHOLD)."""
    own = (
        VendorAnalyticsSettings.objects.filter(vendor_id=vendor_id)
        .values_list("low_stock_threshold", flat=True)
        .first()
    )
    if own is None:
        return int(settings.ANALYTICS_LOW_STOCK_THRESHOLD), False
    return own, True


def low_stock_threshold_of(*, vendor_id: int) -> int:
    return low_stock_threshold_setting(vendor_id=vendor_id)[0]


@dataclass(frozen=True)
class LowStock:
    threshold: int
    variants: list[LowStockVariant]


def dashboard_low_stock(*, vendor_id: int) -> LowStock:
    """The vendor's variants at or below its low-stock threshold (two queries)."""
    threshold = low_stock_threshold_of(vendor_id=vendor_id)
    return LowStock(
        threshold=threshold,
        variants=catalog.variants_low_stock_of_vendor(vendor_id=vendor_id, threshold=threshold),
    )


@dataclass(frozen=True)
class Dashboard:
    start: dt.date
    end: dt.date
    revenue: list[Revenue]
    orders_by_status: dict[str, int]
    top_products: TopProducts
    low_stock: list[LowStockVariant]
    low_stock_threshold: int
    balance: list[Money]
    returns: Returns


def dashboard_compose(
    *,
    period: Period,
    revenue: list[Revenue],
    orders_by_status: dict[str, int],
    top_products: TopProducts,
    low_stock: LowStock,
    balance: list[Money],
    returns: Returns,
) -> Dashboard:
    return Dashboard(
        start=period.start,
        end=period.end,
        revenue=revenue,
        orders_by_status=orders_by_status,
        top_products=top_products,
        low_stock=low_stock.variants,
        low_stock_threshold=low_stock.threshold,
        balance=balance,
        returns=returns,
    )


def dashboard_read(*, vendor_id: int, period: Period) -> Dashboard:
    """The dashboard's six reads one after another (seven queries). v2 runs them at
    the same time on connections of their own; this is the sequential baseline."""
    return dashboard_compose(
        period=period,
        revenue=dashboard_revenue(vendor_id=vendor_id, period=period),
        orders_by_status=dashboard_orders_by_status(vendor_id=vendor_id, period=period),
        top_products=dashboard_top_products(vendor_id=vendor_id, period=period),
        low_stock=dashboard_low_stock(vendor_id=vendor_id),
        balance=dashboard_balance(vendor_id=vendor_id),
        returns=dashboard_returns(vendor_id=vendor_id, period=period),
    )


# ---------------------------------------------------------------- vendor summaries
def vendors_with_sales_on(*, day: dt.date) -> list[int]:
    """Vendors whose rollups of `day` show a sale (money or a paid vendor order)."""
    return sorted(
        set(
            VendorDailyRollup.objects.filter(day=day)
            .filter(models.Q(gross__gt=0) | models.Q(paid__gt=0))
            .values_list("vendor_id", flat=True)
        )
    )


@dataclass(frozen=True)
class DaySummary:
    day: dt.date
    revenue: list[Revenue]
    orders_by_status: dict[str, int]
    top_products: list[TopProduct]


def vendor_day_summary(*, vendor_id: int, day: dt.date) -> DaySummary:
    """One vendor's day from its rollups: money, orders, best sellers (three queries)."""
    period = Period(day, day)
    return DaySummary(
        day=day,
        revenue=dashboard_revenue(vendor_id=vendor_id, period=period),
        orders_by_status=dashboard_orders_by_status(vendor_id=vendor_id, period=period),
        top_products=dashboard_top_products(vendor_id=vendor_id, period=period).by_revenue,
    )
