"""Tasks that exist only for tests of the task machinery (workers, retries, timing)."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from shared_domain.common import context
from shared_domain.common.models import IdempotencyKey
from shared_domain.common.tasking import PermanentTaskError, app_task


@app_task(queue="default", max_retries=0)
def explode(message: str = "kaput") -> None:
    raise ValueError(message)


@app_task(queue="default")
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@app_task(queue="default")
def flaky(*, succeed_on: int, attempt: int) -> dict[str, Any]:
    """Fails until attempt `succeed_on`."""
    if attempt < succeed_on:
        raise ConnectionError(f"attempt {attempt} failed")
    return {"attempt": attempt}


@app_task(queue="default", max_retries=2)
def always_fails(*, label: str) -> None:
    raise ConnectionError(f"{label} is down")


@app_task(queue="default")
def rejects(*, why: str) -> None:
    raise PermanentTaskError(why)


@app_task(queue="default")
def missing_object() -> None:
    raise ObjectDoesNotExist("the order is gone")


@app_task(queue="default", max_retries=0)
def fails_unless_marked(*, marker: str) -> str:
    if not IdempotencyKey.objects.filter(key=marker).exists():
        raise RuntimeError(f"marker {marker} not set")
    return marker


@app_task(queue="default")
def report_context() -> dict[str, Any]:
    return {"request_id": context.request_id.get(), "attempt": context.task_attempt.get()}


@app_task(queue="critical")
def urgent(label: str) -> str:
    return label


@app_task(queue="analytics")
def slow_lane(label: str) -> str:
    return label


@app_task(queue="default")
def tick() -> str:
    return "tick"


@app_task(queue="default", max_retries=0)
def unstorable() -> str:
    """Returns text PostgreSQL refuses to store (a NUL character)."""
    return "nul \x00 inside"


@app_task(queue="default", max_retries=1)
def retried_once(*, label: str) -> None:
    raise ConnectionError(f"{label} is still down")


@app_task(queue="default", max_retries=0)
def tally(key: str) -> str:
    """Counts its runs per key in Redis: the scale-out demo proves each task of a burst
    ran exactly once (enqueue it on any queue with `.using(queue_name=...)`)."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.hincrby("scale-demo:runs", key, 1)
    finally:
        client.close()
    return key
