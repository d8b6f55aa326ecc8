"""Liveness and readiness checks used by all three deployables.

Ready means the service can do its job: PostgreSQL answers a query within
HEALTH_CHECK_TIMEOUT. Redis is checked too (PING), but requests keep working without
it (rate limits fall back to process memory): then the service
is ready but *degraded*, so a Redis outage never takes every pod out of rotation —
unless Redis holds the task queues (TASKS_BACKEND=rq), where it is required.

The DB check runs on a thread of its own, bounded by HEALTH_CHECK_TIMEOUT (the async
variant never blocks the event loop); its connection is returned to the pool after.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection

from shared_domain.common.redis import REDIS_ERRORS, get_async_redis, get_redis

logger = logging.getLogger(__name__)

OK = "ok"


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        required = ("database", "redis") if settings.TASKS_BACKEND == "rq" else ("database",)
        return all(self.checks.get(name) == OK for name in required)

    @property
    def degraded(self) -> bool:
        return any(value != OK for value in self.checks.values())

    def body(self, service: str) -> dict[str, object]:
        """The 200 answer of a ready service."""
        return {
            "status": "degraded" if self.degraded else "ready",
            "service": service,
            "checks": self.checks,
            "degraded": self.degraded,
        }


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readiness: database unavailable: %s", exc)
        # Drop a broken connection so the next request gets a fresh one.
        connection.close()
        return "unavailable"
    return OK


def check_redis() -> str:
    try:
        get_redis().ping()
    except REDIS_ERRORS as exc:
        logger.warning("readiness: redis unavailable: %s", exc)
        return "unavailable"
    return OK


# One thread for the sync database check, so a readiness probe answers within
# HEALTH_CHECK_TIMEOUT even while connecting would wait for DB_POOL_TIMEOUT.
_sync_checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readiness")


def check_database_within_timeout() -> str:
    future = _sync_checks.submit(_check_database_in_thread)
    try:
        return future.result(timeout=settings.HEALTH_CHECK_TIMEOUT)
    except FuturesTimeout:
        future.cancel()  # if still queued behind an earlier stuck check
        logger.warning("readiness: database check timed out")
        return "timeout"


def readiness() -> Readiness:
    return Readiness(checks={"database": check_database_within_timeout(), "redis": check_redis()})


def _check_database_in_thread() -> str:
    try:
        return check_database()
    finally:
        connection.close()


async def acheck_database() -> str:
    try:
        return await asyncio.wait_for(
            sync_to_async(_check_database_in_thread, thread_sensitive=False)(),
            timeout=settings.HEALTH_CHECK_TIMEOUT,
        )
    except TimeoutError:
        logger.warning("readiness: database check timed out")
        return "timeout"


async def acheck_redis() -> str:
    try:
        await asyncio.wait_for(get_async_redis().ping(), timeout=settings.HEALTH_CHECK_TIMEOUT)
    except TimeoutError:
        logger.warning("readiness: redis check timed out")
        return "timeout"
    except REDIS_ERRORS as exc:
        logger.warning("readiness: redis unavailable: %s", exc)
        return "unavailable"
    return OK


async def areadiness() -> Readiness:
    database, cache = await asyncio.gather(acheck_database(), acheck_redis())
    return Readiness(checks={"database": database, "redis": cache})
