"""Facts about and maintenance of the task queues, for both backends: depth per queue
(the worker autoscaling signal), pruning, and handing the tasks of dead workers back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.tasks import TaskResultStatus
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from shared_domain.common import metrics

logger = logging.getLogger("fashionistar.tasks")


def using_rq() -> bool:
    return str(settings.TASKS_BACKEND) == "rq"


# ---------------------------------------------------------------------- depth
def queue_depths() -> dict[str, int]:
    """Tasks ready to run now, per configured queue."""
    if using_rq():
        import django_rq

        return {name: int(django_rq.get_queue(name).count) for name in settings.TASK_QUEUES}
    from django_tasks_db.models import DBTaskResult

    rows = (
        DBTaskResult.objects.ready().values_list("queue_name").annotate(n=Count("id")).order_by()
    )
    counts = dict(rows)
    return {name: int(counts.get(name, 0)) for name in settings.TASK_QUEUES}


# The task table of the database backend, for readers outside Django (the autoscaler).
TASK_TABLE = "django_tasks_database_dbtaskresult"
# django-tasks-db stores "no run_after" as this instant (its get_date_max()).
_NO_RUN_AFTER = "9999-01-01 00:00:00+00"


def backlog_sql(queues: list[str]) -> str:
    """SQL counting the tasks a worker pool has in hand on the database backend: READY
    and due now, plus RUNNING. KEDA's PostgreSQL trigger scales each pool on it
    (k8s/base/worker-scaling.yaml); RUNNING is counted so that a pool busy with long
    tasks is not scaled away under them."""
    unknown = [name for name in queues if name not in settings.TASK_QUEUES]
    if unknown or not queues:
        raise ValueError(f"unknown queue in {queues}")
    # Queue names come from settings (checked above), never from input.
    names = ", ".join(f"'{name}'" for name in queues)
    return (
        f"SELECT count(*) FROM {TASK_TABLE} WHERE"  # noqa: S608 - names checked above # nosec B608
        f" queue_name IN ({names}) AND "
        f"(status = 'RUNNING' OR (status = 'READY' AND "
        f"(run_after <= now() OR run_after = '{_NO_RUN_AFTER}')))"
    )


def oldest_ready_ages() -> dict[str, float]:
    """Seconds since the oldest due task of each queue was enqueued (0 when empty)."""
    if using_rq():
        return dict.fromkeys(settings.TASK_QUEUES, 0.0)
    from django_tasks_db.models import DBTaskResult

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
    """Computed at scrape time, so every replica reports the same numbers."""

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


# ---------------------------------------------------------------------- pruning
def prune_finished_results(*, before: datetime) -> int:
    if using_rq():
        return 0  # RQ expires finished jobs itself (result_ttl)
    from django_tasks_db.models import DBTaskResult

    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return deleted


# ---------------------------------------------------------------------- crash recovery
def reap_stale_tasks(*, now: datetime | None = None) -> int:
    """Hand RUNNING tasks of workers whose lease expired back to the queue.

    A worker refreshes its `WorkerHeartbeat` every few seconds; a task RUNNING under a
    worker that has not been seen for WORKER_LEASE_SECONDS (killed, OOM, node lost)
    is set READY again and runs on another worker. A task whose workers died
    TASK_MAX_RECLAIMS times is failed and dead-lettered instead (it may be what kills
    them). Returns how many tasks were handed back.
    """
    from django_tasks_db.models import DBTaskResult

    from shared_domain.common.models import WorkerHeartbeat

    now = now or timezone.now()
    lease = timedelta(seconds=settings.WORKER_LEASE_SECONDS)
    live = set(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=now - lease).values_list(
            "worker_id", flat=True
        )
    )
    recovered = 0
    with transaction.atomic():
        running = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=now - lease)
            .order_by("started_at")[:500]
        )
        for task in running:
            owner = task.worker_ids[-1] if task.worker_ids else None
            if owner in live:
                continue  # a slow task of a healthy worker
            recovered += _hand_back(task, owner)
    return recovered


def release_tasks_of(*, worker_id: str) -> int:
    """Hand back the tasks RUNNING under `worker_id` now, at once.

    For a worker starting under a fixed id (`--worker-id`): tasks RUNNING under that id
    belong to an earlier process with the same id, which is dead. Waiting for the lease
    would not help, since the new process renews that same lease. Returns how many
    tasks were handed back (dead-lettered ones not counted, as in `reap_stale_tasks`).
    """
    from django_tasks_db.models import DBTaskResult

    recovered = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, worker_ids__contains=[worker_id]
        )
        for task in running:
            if task.worker_ids[-1] == worker_id:
                recovered += _hand_back(task, worker_id)
    return recovered


def _hand_back(task: Any, owner: str | None) -> int:
    """Set a task whose worker died READY again (1), or fail and dead-letter it once
    more than TASK_MAX_RECLAIMS workers died running it (0)."""
    from shared_domain.common.tasking import dead_letter_crashed

    if len(task.worker_ids) > settings.TASK_MAX_RECLAIMS:
        error = RuntimeError(
            f"worker {owner} stopped while running this task "
            f"({len(task.worker_ids)} workers died running it)"
        )
        task.set_failed(error)
        dead_letter_crashed(
            task_id=str(task.id),
            task_path=task.task_path,
            queue_name=task.queue_name,
            args=task.args_kwargs.get("args", []),
            kwargs=task.args_kwargs.get("kwargs", {}),
            exc=error,
        )
        return 0
    task.status = TaskResultStatus.READY
    task.started_at = None
    task.save(update_fields=["status", "started_at"])
    metrics.TASKS_RECOVERED.labels(task.queue_name).inc()
    logger.warning(
        "task %s handed back to %s: worker %s stopped while running it",
        task.id,
        task.queue_name,
        owner,
        extra={"task": task.task_path, "queue": task.queue_name},
    )
    return 1
