"""The worker loop: claim the next due task of our queues, run it, record the outcome.

Claiming locks one row with SELECT ... FOR UPDATE SKIP LOCKED, so any number of
workers (processes or pods) share the queues without running a task twice.
SIGTERM/SIGINT stop the loop after the current task; a second signal exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from types import FrameType

from django.db import close_old_connections, transaction
from django.tasks import TaskContext
from django_tasks_db.models import DBTaskResult

from shared_domain.common import metrics

logger = logging.getLogger("fashionistar.worker")


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


class Worker:
    def __init__(
        self,
        *,
        queues: list[str],
        poll_interval: float,
        worker_id: str | None = None,
        backend_alias: str = "default",
    ) -> None:
        self.queues = queues
        self.poll_interval = poll_interval
        self.worker_id = worker_id or default_worker_id()
        self.backend_alias = backend_alias
        self.stopping = threading.Event()
        self.current_task: str | None = None
        self.last_loop_at = time.monotonic()
        self.tasks_run = 0

    # ------------------------------------------------------------------ lifecycle
    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping.is_set():
            logger.warning("second %s: exiting now", signal.Signals(signum).name)
            os._exit(1)
        logger.info(
            "%s: finishing the current task, taking no new one",
            signal.Signals(signum).name,
            extra={"current_task": self.current_task},
        )
        self.stopping.set()

    def run(self, *, max_tasks: int | None = None) -> None:
        logger.info(
            "worker %s consuming %s",
            self.worker_id,
            ",".join(self.queues),
            extra={"worker_id": self.worker_id, "queues": self.queues},
        )
        while not self.stopping.is_set():
            self.last_loop_at = time.monotonic()
            close_old_connections()
            claimed = self.claim_next()
            if claimed is None:
                self.stopping.wait(self.poll_interval)
                continue
            self.execute(claimed)
            if max_tasks is not None and self.tasks_run >= max_tasks:
                break
        close_old_connections()
        logger.info("worker %s stopped after %d tasks", self.worker_id, self.tasks_run)

    def is_alive(self, *, stale_after: float) -> bool:
        """Liveness: the loop went round recently, or is busy with a task."""
        busy = self.current_task is not None
        return busy or (time.monotonic() - self.last_loop_at) < stale_after

    # ------------------------------------------------------------------ one task
    def claim_next(self) -> DBTaskResult | None:
        with transaction.atomic():
            claimed = (
                DBTaskResult.objects.ready()
                .filter(backend_name=self.backend_alias, queue_name__in=self.queues)
                .get_locked()
            )
            if claimed is not None:
                claimed.claim(self.worker_id)
        return claimed

    def execute(self, db_result: DBTaskResult) -> None:
        queue, name = db_result.queue_name, db_result.task_path
        self.current_task = str(db_result.id)
        metrics.TASKS_STARTED.labels(queue, name).inc()
        started = time.perf_counter()
        log_extra = {"task_id": str(db_result.id), "task": name, "queue": queue}
        logger.info("task started", extra=log_extra)
        try:
            task = db_result.task
            task_result = db_result.task_result
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_result.set_successful(value)
        except Exception as exc:
            # Recorded on the task result (class + traceback) for whoever awaits it.
            db_result.set_failed(exc)
            metrics.TASKS_FAILED.labels(queue, name).inc()
            logger.exception("task failed", extra=log_extra)
        else:
            metrics.TASKS_SUCCEEDED.labels(queue, name).inc()
            logger.info("task succeeded", extra=log_extra)
        finally:
            duration = time.perf_counter() - started
            metrics.TASK_DURATION.labels(queue, name).observe(duration)
            self.current_task = None
            self.tasks_run += 1
