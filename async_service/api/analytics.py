"""v2 vendor dashboard: six independent reads of the daily rollups, the stock and the
ledger, run at the same time on connections of their own, so the answer takes about as
long as the slowest of them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router

from async_service.api.analytics_schemas import DashboardOut
from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth
from shared_domain.analytics import selectors
from shared_domain.analytics.selectors import Dashboard, Period
from shared_domain.common.asyncdb import run_db

router = Router(tags=["analytics"], auth=jwt_auth)


# The dashboard's six reads, each on a connection of its own.
READS: dict[str, Callable[[int, Period], Any]] = {
    "revenue": lambda v, p: selectors.dashboard_revenue(vendor_id=v, period=p),
    "orders_by_status": lambda v, p: selectors.dashboard_orders_by_status(vendor_id=v, period=p),
    "top_products": lambda v, p: selectors.dashboard_top_products(vendor_id=v, period=p),
    "low_stock": lambda v, p: selectors.dashboard_low_stock(vendor_id=v),
    "balance": lambda v, p: selectors.dashboard_balance(vendor_id=v),
    "returns": lambda v, p: selectors.dashboard_returns(vendor_id=v, period=p),
}


async def _bench_variant(request: HttpRequest, vendor_id: int, period: Period) -> Dashboard | None:
    """The benchmark's variants (DASHBOARD_BENCH_PARAMS only): the reads one after
    another in one database call, or one of them alone (the others empty)."""
    if request.GET.get("sequential"):
        return await run_db(selectors.dashboard_read, vendor_id=vendor_id, period=period)
    only = request.GET.get("only") or ""
    if only not in READS:
        return None
    parts: dict[str, Any] = {
        "revenue": [],
        "orders_by_status": {},
        "top_products": selectors.TopProducts(),
        "low_stock": selectors.LowStock(threshold=0, variants=[]),
        "balance": [],
        "returns": selectors.Returns(rate=None, returned_units=0, delivered_units=0),
    }
    parts[only] = await run_db(READS[only], vendor_id, period)
    return selectors.dashboard_compose(period=period, **parts)


async def dashboard_gather(*, vendor_id: int, period: Period) -> Dashboard:
    values = await asyncio.gather(*(run_db(read, vendor_id, period) for read in READS.values()))
    return selectors.dashboard_compose(period=period, **dict(zip(READS, values, strict=True)))


@router.get(
    "/vendor/dashboard",
    response={200: DashboardOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    operation_id="v2_vendor_dashboard",
    description="Your store's figures over a period of whole UTC days: revenue (gross, "
    "commission, refunded, net, average order value) per currency, vendor orders placed "
    "or moved to each status, top products by revenue and by units, low-stock variants, "
    "your balance, and returns (rate = units returned / units delivered in the period, "
    "top reasons). `period` is 7d, 30d (default) or 90d, ending today; or give "
    "`from` and `to` (YYYY-MM-DD, both included, at most ANALYTICS_MAX_PERIOD_DAYS). "
    "Errors: 400 validation_error (unknown period, a bad date, `from` after `to`, a "
    "period too long, `period` with `from`/`to`); 403 permission_denied (not a vendor). "
    "Money is a decimal string with its currency.",
)
async def dashboard(
    request: HttpRequest,
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
) -> Dashboard:
    user = current_user(request)
    window = selectors.dashboard_period(period=period, start=start, end=end)
    vendor_id = await run_db(selectors.dashboard_vendor_id, user=user)
    if settings.DASHBOARD_BENCH_PARAMS:
        variant = await _bench_variant(request, vendor_id, window)
        if variant is not None:
            return variant
    return await dashboard_gather(vendor_id=vendor_id, period=window)
