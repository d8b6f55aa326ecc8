"""Run due tasks in-process with whichever backend TASKS_BACKEND selects."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings

from shared_domain.common.queues import using_rq


def _drain_db() -> int:
    from worker_service.runner import Worker

    worker = Worker(queues=list(settings.TASK_QUEUES), listen=False, worker_id="test-worker")
    ran = 0
    while (claimed := worker.claim_next()) is not None:
        worker.execute(claimed)
        ran += 1
    return ran


def _drain_rq() -> int:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    connection = django_rq.get_connection()
    queues = [django_rq.get_queue(name, job_class=Job) for name in settings.TASK_QUEUES]
    for queue in queues:
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_jobs_to_schedule():
            job = queue.fetch_job(job_id)
            if job is not None:
                queue.enqueue_job(job)
            registry.remove(job_id)
    before = sum(q.count for q in queues)
    SimpleWorker(queues, connection=connection, job_class=Job).work(burst=True)
    return before


def run_tasks(until: Callable[[], bool] | None = None, timeout: float = 15.0) -> None:
    """Run due tasks until `until()` holds (or, without `until`, until none is ready)."""
    drain = _drain_rq if using_rq() else _drain_db
    deadline = time.monotonic() + timeout
    while True:
        ran = drain()
        if until is None and ran == 0:
            return
        if until is not None and until():
            return
        if time.monotonic() > deadline:
            raise AssertionError("tasks did not reach the expected state in time")
        time.sleep(0.05)
