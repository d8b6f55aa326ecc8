"""The database-backed worker process.

Threads, each with its own database connection:

- N task threads (`--concurrency`): claim the next due task of our queues with
  SELECT ... FOR UPDATE SKIP LOCKED (so any number of workers share the queues without
  running a task twice), run it, record the outcome. Idle threads sleep until a
  NOTIFY says a task was committed, or the poll interval passes.
- a heartbeat thread: renews this process's lease (`WorkerHeartbeat`) and, every few
  beats, hands RUNNING tasks of workers whose lease expired back to the queue.
- a listener thread: LISTENs for the enqueue notifications.
- a scheduler thread (unless disabled): fires due periodic jobs.

SIGTERM/SIGINT: every task thread finishes its current task and takes no new one; the
process then exits 0. A second signal exits at once (the lease hands any running
task to another worker).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.tasks import TaskContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shared_domain.common.models import WorkerHeartbeat
from shared_domain.common.queues import reap_stale_tasks
from shared_domain.common.scheduling import run_due_jobs
from shared_domain.common.tasking import NOTIFY_CHANNEL

logger = logging.getLogger("fashionistar.worker")

# Reap once every this many heartbeats.
_REAP_EVERY = 3


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


class Worker:
    def __init__(
        self,
        *,
        queues: list[str],
        concurrency: int = 1,
        poll_interval: float = 1.0,
        worker_id: str | None = None,
        backend_alias: str = "default",
        scheduler: bool = False,
        listen: bool = True,
        max_tasks: int | None = None,
    ) -> None:
        self.queues = queues
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.worker_id = worker_id or default_worker_id()
        self.backend_alias = backend_alias
        self.scheduler = scheduler
        self.listen = listen and bool(settings.TASK_LISTEN_DATABASE_URL)
        self.max_tasks = max_tasks
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.running: dict[int, str] = {}  # thread index -> task id it is running
        self.loop_at: dict[int, float] = {}
        self.tasks_run = 0
        self._count_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ lifecycle
    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            logger.warning("second %s: exiting now", name)
            os._exit(1)
        logger.info(
            "%s: finishing %d running task(s), taking no new one",
            name,
            len(self.running),
            extra={"running": sorted(self.running.values())},
        )
        self.request_stop()

    def request_stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def run(self) -> None:
        """Run until stopped; returns after every task thread has finished."""
        logger.info(
            "worker %s: %d thread(s) on %s%s",
            self.worker_id,
            self.concurrency,
            ",".join(self.queues),
            " + scheduler" if self.scheduler else "",
            extra={"worker_id": self.worker_id, "queues": self.queues},
        )
        self._beat(first=True)
        now = time.monotonic()
        workers = []
        for index in range(self.concurrency):
            self.loop_at[index] = now
            workers.append(self._spawn(f"task-{index}", self._task_loop, index))
        helpers = [self._spawn("heartbeat", self._heartbeat_loop)]
        if self.listen:
            helpers.append(self._spawn("listener", self._listen_loop))
        if self.scheduler:
            helpers.append(self._spawn("scheduler", self._scheduler_loop))
        while not self.stopping.is_set() and any(t.is_alive() for t in workers):
            self.stopping.wait(0.5)
        self.request_stop()
        for thread in workers:
            thread.join()
        for thread in helpers:
            thread.join(timeout=5)
        self._retire()
        logger.info("worker %s stopped after %d tasks", self.worker_id, self.tasks_run)

    def _spawn(self, name: str, target: Callable[..., None], *args: object) -> threading.Thread:
        def guarded() -> None:
            try:
                target(*args)
            finally:
                connection.close()

        thread = threading.Thread(target=guarded, name=f"worker-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)
        return thread

    def is_alive(self, *, stale_after: float) -> bool:
        """Liveness: every task thread went round recently or is busy with a task."""
        now = time.monotonic()
        return all(
            index in self.running or now - seen < stale_after
            for index, seen in list(self.loop_at.items())
        )

    # ------------------------------------------------------------------ task threads
    def _task_loop(self, index: int) -> None:
        while not self.stopping.is_set():
            self.loop_at[index] = time.monotonic()
            close_old_connections()
            self.wake.clear()
            try:
                claimed = self.claim_next()
            except Exception:
                logger.exception("claiming a task failed; retrying shortly")
                self.stopping.wait(self.poll_interval)
                continue
            if claimed is None:
                self.wake.wait(self.poll_interval)
                continue
            self.running[index] = str(claimed.id)
            try:
                self.execute(claimed)
            finally:
                del self.running[index]
            with self._count_lock:
                self.tasks_run += 1
                if self.max_tasks is not None and self.tasks_run >= self.max_tasks:
                    self.request_stop()

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
        """Run one claimed task and record SUCCESSFUL (with its return value) or
        FAILED (with the exception class and traceback)."""
        try:
            task = db_result.task
            task_result = db_result.task_result
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
        except Exception as exc:  # noqa: BLE001 - recorded on the task result
            db_result.set_failed(exc)
            logger.warning(
                "task %s failed: %s",
                db_result.task_path,
                type(exc).__name__,
                extra={"task_id": str(db_result.id), "queue": db_result.queue_name},
            )
        else:
            try:
                db_result.set_successful(value)
            except (TypeError, ValueError) as exc:  # a return value JSON cannot hold
                db_result.set_failed(exc)

    # ------------------------------------------------------------------ helpers
    def _beat(self, *, first: bool = False) -> None:
        now = timezone.now()
        defaults: dict[str, object] = {"last_seen_at": now}
        if first:
            defaults |= {
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "queues": self.queues,
                "concurrency": self.concurrency,
                "started_at": now,
            }
        WorkerHeartbeat.objects.update_or_create(worker_id=self.worker_id, defaults=defaults)

    def _retire(self) -> None:
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        finally:
            connection.close()

    def _heartbeat_loop(self) -> None:
        beats = 0
        while not self.stopping.wait(settings.WORKER_HEARTBEAT_INTERVAL):
            try:
                self._beat()
                beats += 1
                if beats % _REAP_EVERY == 0:
                    reap_stale_tasks()
            except Exception:
                logger.exception("heartbeat failed; will retry")
            finally:
                connection.close()

    def _listen_loop(self) -> None:
        import psycopg

        backoff = 1.0
        while not self.stopping.is_set():
            try:
                with psycopg.connect(
                    settings.TASK_LISTEN_DATABASE_URL, autocommit=True, connect_timeout=5
                ) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    backoff = 1.0
                    while not self.stopping.is_set():
                        for notice in conn.notifies(timeout=1.0):
                            if notice.payload in self.queues:
                                self.wake.set()
            except psycopg.Error as exc:
                logger.warning("task notifications unavailable (%s); polling meanwhile", exc)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def _scheduler_loop(self) -> None:
        while not self.stopping.wait(settings.SCHEDULER_INTERVAL):
            try:
                fired = run_due_jobs()
                if fired:
                    logger.info("scheduler fired %s", ", ".join(fired), extra={"jobs": fired})
            except Exception:
                logger.exception("scheduler pass failed; will retry")
            finally:
                connection.close()
