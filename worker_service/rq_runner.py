"""The worker process on the RQ backend (TASKS_BACKEND=rq).

RQ has no priorities: each queue is its own Redis list and a worker takes the first
non-empty one in the order given, so queues are passed highest priority first
(settings.TASK_QUEUES order), and heavy queues can get workers of their own. Deferred
tasks (`run_after`, retries) need RQ's scheduler, which this process runs. SIGTERM
is a warm shutdown: the running job finishes first.

Crash recovery: RQ itself fails a job whose worker stopped renewing its heartbeat
(AbandonedJobError); a maintenance thread here triggers that check often and puts
abandoned jobs back on their queue, at most TASK_MAX_RECLAIMS times.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

from shared_domain.common.scheduling import run_due_jobs

logger = logging.getLogger("fashionistar.worker")

MAINTENANCE_INTERVAL = 5.0


def requeue_abandoned_jobs(queue_names: list[str]) -> int:
    """Put jobs whose worker died back on their queue. Returns how many."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    from shared_domain.common import metrics

    requeued = 0
    for name in queue_names:
        queue = django_rq.get_queue(name, job_class=Job)
        StartedJobRegistry(queue=queue).cleanup()
        failed = FailedJobRegistry(queue=queue)
        for job_id in failed.get_job_ids():
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            latest = job.latest_result()
            if latest is None or "AbandonedJobError" not in (latest.exc_string or ""):
                continue
            reclaims = int(job.meta.get("reclaims", 0))
            if reclaims >= settings.TASK_MAX_RECLAIMS:
                continue
            job.meta["reclaims"] = reclaims + 1
            job.save_meta()
            failed.requeue(job_id)
            metrics.TASKS_RECOVERED.labels(name).inc()
            logger.warning("abandoned job %s put back on %s", job_id, name)
            requeued += 1
    return requeued


class RQWorkerProcess:
    def __init__(self, *, queues: list[str], concurrency: int, scheduler: bool) -> None:
        ordered = [name for name in settings.TASK_QUEUES if name in queues]
        self.queues = ordered
        self.concurrency = concurrency
        self.scheduler = scheduler
        self.stopping = threading.Event()
        self.worker_id = f"rq-{int(time.time())}"
        self.started = time.monotonic()

    def install_signal_handlers(self) -> None:
        """RQ installs its own (warm shutdown on SIGTERM/SIGINT)."""

    def is_alive(self, *, stale_after: float) -> bool:
        return not self.stopping.is_set()

    def run(self) -> None:
        import django_rq
        from django_tasks_rq.backend import Job
        from rq import Worker
        from rq.worker_pool import WorkerPool

        helpers = [threading.Thread(target=self._maintenance_loop, daemon=True)]
        if self.scheduler:
            helpers.append(threading.Thread(target=self._scheduler_loop, daemon=True))
        for thread in helpers:
            thread.start()
        connection = django_rq.get_connection()
        try:
            if self.concurrency == 1:
                worker = Worker(
                    self.queues,
                    connection=connection,
                    job_class=Job,
                    job_monitoring_interval=settings.RQ_JOB_MONITORING_INTERVAL,
                )
                self.worker_id = worker.name
                worker.work(with_scheduler=True)
            else:
                pool = WorkerPool(
                    self.queues, connection=connection, num_workers=self.concurrency, job_class=Job
                )
                pool.start(burst=False)
        finally:
            self.stopping.set()

    def _maintenance_loop(self) -> None:
        from django.db import connection

        while not self.stopping.wait(MAINTENANCE_INTERVAL):
            try:
                requeue_abandoned_jobs(self.queues)
            except Exception:
                logger.exception("RQ maintenance failed; will retry")
            finally:
                connection.close()

    def _scheduler_loop(self) -> None:
        from django.db import connection

        while not self.stopping.wait(settings.SCHEDULER_INTERVAL):
            try:
                run_due_jobs()
            except Exception:
                logger.exception("scheduler pass failed; will retry")
            finally:
                connection.close()
