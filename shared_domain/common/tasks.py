"""Tasks of the common context: the worker ping and housekeeping jobs."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from shared_domain.common import queues
from shared_domain.common.idempotency import forget_keys_older_than
from shared_domain.common.models import EventRecord, TaskLink, WorkerHeartbeat
from shared_domain.common.tasking import app_task


@app_task(queue="default")
def ping(message: str = "pong") -> dict[str, Any]:
    """Round trip through the queue: proves a worker is consuming and can write results.
    Used by `manage.py worker_ping` (deploy smoke test) and the e2e tests."""
    return {
        "message": message,
        "worker_host": socket.gethostname(),
        "worker_pid": os.getpid(),
        "finished_at": timezone.now().isoformat(),
    }


@app_task(queue="default")
def prune_task_results(days: int | None = None) -> dict[str, int]:
    """Delete finished task results (and their lineage) older than the retention."""
    keep = settings.TASK_RESULT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=keep)
    results = queues.prune_finished_results(before=cutoff)
    links, _ = TaskLink.objects.filter(created_at__lt=cutoff).delete()
    return {"task_results": results, "task_links": links}


@app_task(queue="default")
def prune_event_records(days: int | None = None) -> dict[str, int]:
    keep = settings.EVENT_RETENTION_DAYS if days is None else days
    # Records still in the outbox are kept whatever their age: their handlers are due.
    deleted, _ = EventRecord.objects.filter(
        occurred_at__lt=timezone.now() - timedelta(days=keep), dispatched_at__isnull=False
    ).delete()
    return {"event_records": deleted}


@app_task(queue="default")
def prune_worker_state() -> dict[str, int]:
    """Forget heartbeats of long-gone workers and old idempotency keys."""
    gone = timezone.now() - timedelta(seconds=settings.WORKER_LEASE_SECONDS * 10)
    heartbeats, _ = WorkerHeartbeat.objects.filter(last_seen_at__lt=gone).delete()
    keys = forget_keys_older_than(settings.IDEMPOTENCY_KEY_RETENTION_DAYS)
    return {"worker_heartbeats": heartbeats, "idempotency_keys": keys}
