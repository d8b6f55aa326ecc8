"""Read-side facts about the task queues (depth per queue), for metrics and autoscaling."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


def queue_depths() -> dict[str, int]:
    """Tasks ready to run now (READY and due), per configured queue."""
    rows = (
        DBTaskResult.objects.ready().values_list("queue_name").annotate(n=Count("id")).order_by()
    )
    counts = dict(rows)
    return {name: int(counts.get(name, 0)) for name in settings.TASK_QUEUES}


def oldest_ready_ages() -> dict[str, float]:
    """Seconds since the oldest due task of each queue was enqueued (0 when empty)."""
    now = timezone.now()
    rows = (
        DBTaskResult.objects.ready()
        .values_list("queue_name")
        .annotate(oldest=Min("enqueued_at"))
        .order_by()
    )
    oldest = dict(rows)
    return {
        name: max(0.0, (now - oldest[name]).total_seconds()) if name in oldest else 0.0
        for name in settings.TASK_QUEUES
    }


class QueueDepthCollector(Collector):
    """Computed at scrape time, so every replica reports the same numbers from the DB."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "fashionistar_task_queue_depth",
            "Tasks ready to run now, per queue (the worker autoscaling signal).",
            labels=["queue"],
        )
        for name, count in queue_depths().items():
            depth.add_metric([name], count)
        yield depth
        age = GaugeMetricFamily(
            "fashionistar_task_queue_oldest_age_seconds",
            "Age of the oldest task ready to run, per queue.",
            labels=["queue"],
        )
        for name, seconds in oldest_ready_ages().items():
            age.add_metric([name], seconds)
        yield age
