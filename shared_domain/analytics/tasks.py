"""Tasks of the analytics context (queue `analytics`): recompute the (vendor, day)
rollups events marked as due, off the path of the request that caused them."""

from __future__ import annotations

import datetime as dt

from shared_domain.analytics.services import marked_recompute
from shared_domain.common.tasking import app_task


@app_task(queue="analytics", max_retries=5)
def recompute_days(*, pairs: list[list[int | str]]) -> int:
    """Recompute each [vendor id, ISO day] pair, taking its mark off first."""
    for vendor_id, day in pairs:
        marked_recompute(vendor_id=int(vendor_id), day=dt.date.fromisoformat(str(day)))
    return len(pairs)
