"""The worker process on the RQ backend (TASKS_BACKEND=rq).

RQ has no priorities: each queue is its own Redis list and a worker takes the first
non-empty one in the order given, so queues are passed highest priority first
(settings.TASK_QUEUES order), and heavy queues can get workers of their own. Deferred
tasks (`run_after`, retries) need RQ's scheduler, which this process runs. SIGTERM
is a warm shutdown: the running job finishes first.

Crash recovery: RQ itself fails a job whose worker stopped renewing its heartbeat
(AbandonedJobError); a maintenance thread here triggers that check often and puts
abandoned jobs back on their queue, at most TASK_MAX_RECLAIMS times, then
dead-letters them as "crashed", as the database backend does.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings

from worker_service.relay import OutboxRelay
from worker_service.scheduler import run_scheduler

logger = logging.getLogger("fashionistar.worker")

MAINTENANCE_INTERVAL = 5.0
# How django-tasks-rq records the class of each failure in a job's meta.
_EXCEPTIONS_META = "_django_tasks_rq_exceptions"
_ABANDONED = "rq.exceptions.AbandonedJobError"


class AbandonedJobRecovery:
    """Puts jobs whose worker died back on their queue, or dead-letters them.

    Each pass lets RQ move expired jobs of the started registries to the failed ones
    (as AbandonedJobError), then looks at the failed jobs it has not seen before: one
    pipelined fetch for all of them, and a job is examined once, not on every pass.
    Several worker processes may run this at once: whoever removes a job from the
    failed registry (an atomic ZREM) handles it; the others skip it.
    """

    def __init__(self, queue_names: list[str]) -> None:
        self.queue_names = queue_names
        self._examined: dict[str, set[str]] = {name: set() for name in queue_names}

    def run_once(self) -> int:
        """One pass over every queue. Returns how many jobs were put back."""
        requeued = 0
        for name in self.queue_names:
            try:
                requeued += self._queue_pass(name)
            except Exception:
                logger.exception("RQ recovery of queue %s failed; will retry", name)
        return requeued

    def _queue_pass(self, name: str) -> int:
        import django_rq
        from django_tasks_rq.backend import Job

        queue = django_rq.get_queue(name, job_class=Job)
        # The queue's registries use its job class, so django-tasks-rq's failure
        # callback runs for the jobs RQ declares abandoned (recording the error class).
        queue.started_job_registry.cleanup()
        failed = queue.failed_job_registry
        in_registry = set(failed.get_job_ids(cleanup=True))
        examined = self._examined[name]
        examined &= in_registry  # forget jobs that left the registry
        new_ids = sorted(in_registry - examined)
        requeued = 0
        for job_id, job in zip(
            new_ids, Job.fetch_many(new_ids, connection=queue.connection), strict=True
        ):
            if job is None or not _was_abandoned(job):
                examined.add(job_id)
                continue
            try:
                requeued += self._recover(queue, failed, job)
            except Exception:
                # Left unexamined: the next pass tries this job again.
                logger.exception("could not recover abandoned job %s of %s", job_id, name)
            else:
                examined.add(job_id)
        return requeued

    def _recover(self, queue: Any, failed: Any, job: Any) -> int:
        from shared_domain.common import metrics
        from shared_domain.common.tasking import dead_letter_crashed

        score = failed.connection.zscore(failed.key, job.id)
        if not failed.remove(job):
            return 0  # another worker process took it
        try:
            job.get_meta(refresh=True)
            reclaims = int(job.meta.get("reclaims", 0))
            if reclaims >= settings.TASK_MAX_RECLAIMS:
                dead_letter_crashed(
                    task_id=job.id,
                    task_path=job.func_name,
                    queue_name=queue.name,
                    args=list(job.args),
                    kwargs=dict(job.kwargs),
                    exc=RuntimeError(
                        f"the worker stopped while running this job "
                        f"({reclaims + 1} workers died running it)"
                    ),
                )
                return 0
            # Counted before the job is back on the queue, so the worker that runs it
            # next reads the new count.
            job.meta["reclaims"] = reclaims + 1
            job.started_at = None
            job.ended_at = None
            queue.enqueue_job(job)
        except BaseException:
            if score is not None:
                failed.connection.zadd(failed.key, {job.id: score})  # leave it as found
            raise
        metrics.TASKS_RECOVERED.labels(queue.name).inc()
        logger.warning("abandoned job %s put back on %s", job.id, queue.name)
        return 1


def _was_abandoned(job: Any) -> bool:
    """Whether the job's last failure is RQ's AbandonedJobError: from the failure
    classes django-tasks-rq keeps in the job's meta (no extra round trip), or, when
    that record is missing, from the job's latest result."""
    failures = job.meta.get(_EXCEPTIONS_META) or []
    if failures:
        return bool(failures[-1] == _ABANDONED)
    latest = job.latest_result()
    return latest is not None and "AbandonedJobError" in (latest.exc_string or "")


class RQWorkerProcess:
    def __init__(
        self, *, queues: list[str], concurrency: int, scheduler: bool, relay: bool = False
    ) -> None:
        ordered = [name for name in settings.TASK_QUEUES if name in queues]
        self.queues = ordered
        self.concurrency = concurrency
        self.scheduler = scheduler
        self.relay = OutboxRelay() if relay else None
        self.stopping = threading.Event()
        self.worker_id = f"rq-{int(time.time())}"
        self.started = time.monotonic()
        self.recovery = AbandonedJobRecovery(ordered)

    def install_signal_handlers(self) -> None:
        """RQ installs its own (warm shutdown on SIGTERM/SIGINT)."""

    def is_alive(self, *, stale_after: float) -> bool:
        if self.relay is not None and not self.relay.is_alive(stale_after=stale_after):
            return False
        return not self.stopping.is_set()

    def run(self) -> int:
        import django_rq
        from django_tasks_rq.backend import Job
        from rq import Worker
        from rq.worker_pool import WorkerPool

        helpers = [threading.Thread(target=self._maintenance_loop, daemon=True)]
        if self.scheduler:
            helpers.append(
                threading.Thread(target=run_scheduler, args=(self.stopping,), daemon=True)
            )
        if self.relay is not None:
            helpers.append(
                threading.Thread(target=self.relay.run, args=(self.stopping,), daemon=True)
            )
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
        return 0

    def _maintenance_loop(self) -> None:
        from django.db import connection

        while not self.stopping.wait(MAINTENANCE_INTERVAL):
            try:
                self.recovery.run_once()
            finally:
                connection.close()
