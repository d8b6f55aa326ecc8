"""The database-backed worker process.

Threads, each with its own database connection:

- N task threads (`--concurrency`): claim the next due task of our queues with
  SELECT ... FOR UPDATE SKIP LOCKED (so any number of workers share the queues without
  running a task twice), run it, record the outcome. Idle threads sleep until a
  NOTIFY says a task became ready, or the poll interval passes.
- a heartbeat thread: renews this process's lease (`WorkerHeartbeat`) and, every few
  beats, hands RUNNING tasks of workers whose lease expired back to the queue.
- a listener thread: LISTENs for the notifications a trigger sends when a task becomes
  ready to run now (common migration 0004).
- a scheduler thread (unless disabled): fires due periodic jobs.
- an outbox relay thread (unless disabled): dispatches events whose publisher died
  before it could, or whose handlers failed (worker_service/relay.py).

The worker id is hostname-pid plus a part random per start: a container restarts its
worker as PID 1 under the same hostname, and a restarted process must not renew the
lease of the run that died. A fixed `--worker-id` is honoured, and then the tasks
still RUNNING under that id (left by the previous process) are handed back at start.

When recording a task's outcome fails (database unavailable), the task thread keeps
retrying with backoff; the task stays RUNNING under this process's lease meanwhile.

SIGTERM/SIGINT: every task thread finishes its current task and takes no new one; the
process then exits 0. A second signal exits at once (the lease hands any running
task to another worker). If a thread of the worker dies, or an outcome could not be
recorded before stopping, the process stops and exits 1.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.tasks import TaskContext
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shared_domain.common import metrics
from shared_domain.common.models import WorkerHeartbeat
from shared_domain.common.queues import reap_stale_tasks, release_tasks_of
from shared_domain.common.tasking import NOTIFY_CHANNEL
from worker_service.relay import OutboxRelay
from worker_service.scheduler import run_scheduler

logger = logging.getLogger("fashionistar.worker")

# Reap once every this many heartbeats.
_REAP_EVERY = 3
# Waits between attempts to record a task's outcome while the database is unavailable.
_OUTCOME_BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


def default_worker_id() -> str:
    """hostname-pid-random: unique per start, even for a restarted PID 1 in a pod."""
    suffix = uuid.uuid4().hex[:12]
    base = f"{socket.gethostname()}-{os.getpid()}"
    return f"{base[: 64 - len(suffix) - 1]}-{suffix}"


class UnstorableOutcome(Exception):
    """Recorded instead of an outcome the database refused to store."""


def _backoff() -> Iterator[float]:
    yield from _OUTCOME_BACKOFF
    while True:
        yield _OUTCOME_BACKOFF[-1]


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
        relay: bool = False,
        listen: bool = True,
        max_tasks: int | None = None,
    ) -> None:
        self.queues = queues
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.fixed_id = worker_id is not None
        self.worker_id = worker_id or default_worker_id()
        self.backend_alias = backend_alias
        self.scheduler = scheduler
        self.relay = OutboxRelay() if relay else None
        self.listen = listen and bool(settings.TASK_LISTEN_DATABASE_URL)
        self.max_tasks = max_tasks
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.running: dict[int, str] = {}  # thread index -> task id it is running
        self.loop_at: dict[int, float] = {}
        self.tasks_run = 0
        # Set when a thread died or an outcome could not be recorded: exit status 1.
        self.failed = threading.Event()
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

    def run(self) -> int:
        """Run until stopped; returns the exit status (0, or 1 after a failure) once
        every task thread has finished."""
        logger.info(
            "worker %s: %d thread(s) on %s%s%s",
            self.worker_id,
            self.concurrency,
            ",".join(self.queues),
            " + scheduler" if self.scheduler else "",
            " + outbox relay" if self.relay else "",
            extra={"worker_id": self.worker_id, "queues": self.queues},
        )
        if self.fixed_id:
            released = release_tasks_of(worker_id=self.worker_id)
            if released:
                logger.warning(
                    "handed back %d task(s) an earlier run of %s left RUNNING",
                    released,
                    self.worker_id,
                    extra={"worker_id": self.worker_id},
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
            helpers.append(self._spawn("scheduler", run_scheduler, self.stopping))
        if self.relay is not None:
            helpers.append(self._spawn("relay", self.relay.run, self.stopping))
        self.stopping.wait()
        for thread in workers:
            thread.join()
        for thread in helpers:
            thread.join(timeout=5)
        self._retire()
        status = 1 if self.failed.is_set() else 0
        logger.log(
            logging.ERROR if status else logging.INFO,
            "worker %s stopped after %d tasks%s",
            self.worker_id,
            self.tasks_run,
            " (after a failure)" if status else "",
        )
        return status

    def _spawn(self, name: str, target: Callable[..., None], *args: object) -> threading.Thread:
        def guarded() -> None:
            try:
                target(*args)
            except BaseException:
                # Every loop handles its own errors; reaching this is a bug. A worker
                # missing a thread is not healthy: stop, and exit non-zero.
                logger.critical("worker thread %s died; stopping", name, exc_info=True)
                self.failed.set()
                self.request_stop()
            finally:
                connection.close()

        thread = threading.Thread(target=guarded, name=f"worker-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)
        return thread

    def is_alive(self, *, stale_after: float) -> bool:
        """Liveness: every task thread went round recently or is busy with a task, and
        the outbox relay goes round."""
        now = time.monotonic()
        if self.relay is not None and not self.relay.is_alive(stale_after=stale_after):
            return False
        return all(
            index in self.running or now - seen < stale_after
            for index, seen in list(self.loop_at.items())
        )

    # ------------------------------------------------------------------ task threads
    def _task_loop(self, index: int) -> None:
        while not self.stopping.is_set():
            self.loop_at[index] = time.monotonic()
            self.wake.clear()
            try:
                close_old_connections()
                claimed = self.claim_next()
            except Exception:
                logger.exception("claiming a task failed; retrying shortly")
                close_old_connections()
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
        """Run one claimed task and record SUCCESSFUL (with its return value) or FAILED
        (with the exception class and traceback), sending django.tasks' task_started
        and task_finished signals as django-tasks-db's own worker does.

        Not that worker's `run_task`: when the database is unavailable it records a
        successful task as FAILED, or raises out of the loop; here the outcome is kept
        and its write retried until the database is back (see `_store`)."""
        try:
            task = db_result.task
            task_result = db_result.task_result
            sender = type(task.get_backend())
        except Exception as exc:  # noqa: BLE001 - e.g. the task was renamed: record it
            self._store(db_result, error=exc)
            return
        task_started.send(sender=sender, task_result=task_result)
        try:
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
        except BaseException as exc:  # noqa: BLE001 - recorded on the task result
            logger.warning(
                "task %s failed: %s",
                db_result.task_path,
                type(exc).__name__,
                extra={"task_id": str(db_result.id), "queue": db_result.queue_name},
            )
            stored = self._store(db_result, error=exc)
        else:
            stored = self._store(db_result, value=value)
        if stored:
            task_finished.send(sender=sender, task_result=db_result.task_result)

    def _store(
        self, db_result: DBTaskResult, *, value: Any = None, error: BaseException | None = None
    ) -> bool:
        """Write a task's outcome. While the database is unavailable, retry with backoff
        (the task stays RUNNING under this worker's lease meanwhile); give up only once
        the worker is stopping, when the lease ends with the process and another worker
        runs the task again. An outcome the database refuses (a return value JSON
        cannot hold, text PostgreSQL cannot store) is recorded as a failure instead."""
        log = {"task_id": str(db_result.id), "queue": db_result.queue_name}
        delays = _backoff()
        while True:
            try:
                if error is None:
                    db_result.set_successful(value)
                else:
                    db_result.set_failed(error)
            except (OperationalError, InterfaceError):
                delay = next(delays)
                logger.exception(
                    "recording the outcome of task %s failed; retrying in %.1fs",
                    db_result.id,
                    delay,
                    extra=log,
                )
                close_old_connections()
                if self.stopping.is_set():
                    break
                self.stopping.wait(delay)
            except Exception as refused:
                if isinstance(error, UnstorableOutcome):
                    raise
                logger.exception("task %s: its outcome cannot be stored", db_result.id, extra=log)
                error = UnstorableOutcome(
                    f"the {'error' if error is not None else 'return value'} of this task "
                    f"could not be stored ({type(refused).__name__})"
                )
            else:
                return True
        logger.error("gave up recording the outcome of task %s: stopping", db_result.id, extra=log)
        self.failed.set()
        return False

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
                metrics.record_db_pool()
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
                    # Tasks may have become ready while nobody listened.
                    self.wake.set()
                    while not self.stopping.is_set():
                        for notice in conn.notifies(timeout=1.0):
                            if notice.payload in self.queues:
                                self.wake.set()
            except psycopg.Error as exc:
                logger.warning("task notifications unavailable (%s); polling meanwhile", exc)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 30.0)
