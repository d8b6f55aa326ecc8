"""Tasks of the analytics context (queue `analytics`): recompute the (vendor, day)
rollups events marked as due, off the path of the request that caused them; build
report files; prune old ones; and the nightly vendor summaries (sent on `emails`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shared_domain.accounts.selectors import store_names, store_owner
from shared_domain.analytics import reports, selectors
from shared_domain.analytics.services import marked_recompute
from shared_domain.common.idempotency import once
from shared_domain.common.tasking import app_task
from shared_domain.notifications.services import email_send


@app_task(queue="analytics", max_retries=5)
def recompute_days(*, pairs: list[list[int | str]]) -> int:
    """Recompute each [vendor id, ISO day] pair, taking its mark off first."""
    for vendor_id, day in pairs:
        marked_recompute(vendor_id=int(vendor_id), day=dt.date.fromisoformat(str(day)))
    return len(pairs)


@app_task(queue="analytics", max_retries=3)
def build_report(*, report_id: int) -> dict[str, Any]:
    """Write a report's files; the result says what was written (the task status adds
    the download links)."""
    return reports.report_build(report_id=report_id)


@app_task(queue="analytics")
def prune_reports(days: int | None = None) -> dict[str, int]:
    return {"reports": reports.reports_prune(days=days)}


@app_task(queue="analytics")
def send_vendor_summaries(*, day: str | None = None) -> dict[str, Any]:
    """Queue one summary email per vendor with sales on `day` (default: yesterday,
    UTC), from the rollups. Each email is sent at most once per vendor and day,
    however often this runs."""
    when = (
        dt.date.fromisoformat(day)
        if day
        else timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=1)
    )
    vendors = selectors.vendors_with_sales_on(day=when)
    for vendor_id in vendors:
        send_vendor_summary.enqueue(vendor_id=vendor_id, day=when.isoformat())
    return {"day": when.isoformat(), "vendors": len(vendors)}


@app_task(queue="emails", max_retries=5)
def send_vendor_summary(*, vendor_id: int, day: str) -> bool:
    """Email a vendor its day; a second run for the same vendor and day sends nothing
    (the key commits with the send)."""
    when = dt.date.fromisoformat(day)
    with once(f"analytics:vendor-summary:{vendor_id}:{day}") as first:
        if not first:
            return False
        summary = selectors.vendor_day_summary(vendor_id=vendor_id, day=when)
        owner = store_owner(vendor_id=vendor_id)
        email_send(
            to=owner.email,
            template="vendor_daily_summary",
            context={
                "store": store_names(vendor_ids=[vendor_id]).get(vendor_id, ""),
                "day": when,
                "revenue": summary.revenue,
                "orders": summary.orders_by_status,
                "top_products": summary.top_products,
            },
        )
    return True
