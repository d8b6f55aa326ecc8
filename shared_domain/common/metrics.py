"""Prometheus metrics shared by the three deployables.

Metric objects live at module level. In multi-process servers (gunicorn workers,
uvicorn --workers) `PROMETHEUS_MULTIPROC_DIR` must be set before this module is
imported; the server entry points take care of that, and `render_latest` then
aggregates every process's samples.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

HTTP_REQUESTS = Counter(
    "fashionistar_http_requests_total",
    "HTTP requests handled, by service, method, route pattern and status.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "fashionistar_http_request_duration_seconds",
    "Time to produce an HTTP response, by service, method and route pattern.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

TASKS_ENQUEUED = Counter(
    "fashionistar_tasks_enqueued_total",
    "Tasks enqueued (by the enqueuing process).",
    ["queue", "task"],
)
TASKS_STARTED = Counter(
    "fashionistar_tasks_started_total", "Tasks a worker started.", ["queue", "task"]
)
TASKS_SUCCEEDED = Counter(
    "fashionistar_tasks_succeeded_total", "Tasks that finished successfully.", ["queue", "task"]
)
TASKS_FAILED = Counter(
    "fashionistar_tasks_failed_total", "Tasks that raised an exception.", ["queue", "task"]
)
TASKS_RETRIED = Counter(
    "fashionistar_tasks_retried_total", "Failed runs re-enqueued for a retry.", ["queue", "task"]
)
TASKS_DEAD_LETTERED = Counter(
    "fashionistar_tasks_dead_lettered_total", "Tasks that failed for good.", ["queue", "task"]
)
TASKS_RECOVERED = Counter(
    "fashionistar_tasks_recovered_total",
    "RUNNING tasks of dead workers handed back to the queue.",
    ["queue"],
)
SCHEDULED_JOBS_FIRED = Counter(
    "fashionistar_scheduled_jobs_fired_total", "Periodic jobs enqueued by the scheduler.", ["job"]
)
TASK_DURATION = Histogram(
    "fashionistar_task_duration_seconds",
    "Wall time of one task run.",
    ["queue", "task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)


# The psycopg pool of each process (DB_POOL=true), read after every request and every
# worker heartbeat; summed over live processes (gunicorn workers) at scrape time.
DB_POOL_CONNECTIONS = Gauge(
    "fashionistar_db_pool_connections",
    "Connections of the database pool by service and state: in_use, idle, max (summed "
    "over processes).",
    ["service", "state"],
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    "fashionistar_db_pool_waiting",
    "Requests waiting for a connection of the database pool (summed over processes).",
    ["service"],
    multiprocess_mode="livesum",
)


def record_db_pool(alias: str = "default") -> None:
    """Copy the pool's current figures into the gauges; a no-op without a pool or before
    the first connection (it never opens one)."""
    from django.conf import settings
    from django.db import connections

    pools = getattr(type(connections[alias]), "_connection_pools", {})
    pool = pools.get(alias)
    if pool is None:
        return
    stats = pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    service = str(getattr(settings, "SERVICE_NAME", "unknown"))
    DB_POOL_CONNECTIONS.labels(service, "in_use").set(size - idle)
    DB_POOL_CONNECTIONS.labels(service, "idle").set(idle)
    DB_POOL_CONNECTIONS.labels(service, "max").set(pool.max_size)
    DB_POOL_WAITING.labels(service).set(stats.get("requests_waiting", 0))


def observe_http_request(
    *, service: str, method: str, route: str, status: int, duration: float
) -> None:
    HTTP_REQUESTS.labels(service, method, route, str(status)).inc()
    HTTP_LATENCY.labels(service, method, route).observe(duration)


def render_latest(extra_collectors: Iterable[Collector] = ()) -> bytes:
    """Exposition text for this process, or for all processes in multi-process mode.
    `extra_collectors` are computed at scrape time (e.g. queue depth from the DB)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_DefaultRegistryView())
    for collector in extra_collectors:
        registry.register(collector)
    return generate_latest(registry)


class _DefaultRegistryView(Collector):
    """Exposes the process-wide default registry inside a per-scrape registry."""

    def collect(self):  # type: ignore[no-untyped-def]
        return REGISTRY.collect()
