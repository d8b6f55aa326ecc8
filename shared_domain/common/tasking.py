"""Background tasks on Django's `django.tasks` API, with what it leaves out.

Define tasks with `app_task` instead of `django.tasks.task`:

    @app_task(queue="emails", max_retries=5)
    def send_receipt(*, order_id: int, attempt: int) -> None: ...

    send_receipt.enqueue(order_id=7)          # the plain django.tasks API

On top of `django.tasks` this gives every task:

- the queue's priority (settings.TASK_QUEUES), or none on backends without
  priorities (RQ), where queues isolate work instead;
- the request id of whoever enqueued it, carried into the task's log lines;
- retries: a failing run is re-enqueued with `run_after` after 60 s, 120 s, 240 s
  (`TASK_RETRY_BASE_DELAY` doubles per attempt) up to `max_retries` times. Errors that
  cannot heal (`PermanentTaskError`, `ObjectDoesNotExist`, or the task's own
  `permanent=`) are not retried. The attempt number is passed to tasks that take an
  `attempt` keyword argument (and is in `context.task_attempt`). Each retry is linked
  to the first run (`TaskLink`) in the same step as it is enqueued;
- a `DeadLetter` once it has failed for good (or its retry could not be enqueued),
  which staff can re-drive;
- Prometheus counters per queue and task (enqueued, started, succeeded, failed,
  retried, dead-lettered) and a duration histogram.

Tasks are at-least-once: keep them idempotent (see `shared_domain.common.idempotency`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, Task, TaskContext, task_backends
from django.tasks.base import DEFAULT_TASK_PRIORITY
from django.utils import timezone

from shared_domain.common import context, metrics

logger = logging.getLogger("fashionistar.tasks")

P = ParamSpec("P")
T = TypeVar("T")

# Reserved keyword argument that carries our metadata (request id, attempt, lineage)
# through any backend's storage. Stripped before the task function is called.
META_KWARG = "_fs_meta"
# Wakes idle database workers when a task becomes ready to run now: a trigger on the
# task table NOTIFYs this channel (migration common 0004); worker_service LISTENs.
NOTIFY_CHANNEL = "fashionistar_tasks"


class PermanentTaskError(Exception):
    """Raise from a task when retrying cannot help (bad input, gone object...)."""


DEFAULT_PERMANENT: tuple[type[BaseException], ...] = (PermanentTaskError, ObjectDoesNotExist)


@dataclasses.dataclass(frozen=True)
class TaskMeta:
    request_id: str | None = None
    # This run's number in the life of the logical task (1 = the first run).
    attempt: int = 1
    root_id: str | None = None
    # The attempt this run's retry budget started at: 1, or the attempt a re-drive
    # started (a re-driven task gets a fresh budget but keeps counting attempts).
    first_attempt: int = 1

    @property
    def retries_used(self) -> int:
        return self.attempt - self.first_attempt

    def as_kwarg(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "attempt": self.attempt,
            "root_id": self.root_id,
            "first_attempt": self.first_attempt,
        }

    @classmethod
    def read(cls, kwargs: Mapping[str, Any]) -> TaskMeta:
        raw = kwargs.get(META_KWARG)
        if not isinstance(raw, Mapping):
            return cls()
        attempt = int(raw.get("attempt") or 1)
        return cls(
            request_id=raw.get("request_id"),
            attempt=attempt,
            root_id=raw.get("root_id"),
            first_attempt=min(attempt, int(raw.get("first_attempt") or 1)),
        )

    @classmethod
    def pop_from(cls, kwargs: dict[str, Any]) -> TaskMeta:
        meta = cls.read(kwargs)
        kwargs.pop(META_KWARG, None)
        return meta


def retry_delay(attempt: int, base: float | None = None) -> float:
    """Seconds to wait before attempt `attempt + 1`: base, 2*base, 4*base, ..."""
    base_delay = settings.TASK_RETRY_BASE_DELAY if base is None else base
    return float(base_delay * (2 ** (attempt - 1)))


def backend_supports_priority() -> bool:
    return bool(getattr(task_backends[DEFAULT_TASK_BACKEND_ALIAS], "supports_priority", False))


def is_database_backend(backend: object) -> bool:
    """The database backend writes tasks in the caller's transaction."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AppTask(Task):
    """A django.tasks Task that carries request metadata and a retry policy."""

    max_retries: int = 3
    retry_base_delay: float | None = None
    permanent: tuple[type[BaseException], ...] = DEFAULT_PERMANENT

    # slots=True dataclasses cannot use zero-argument super(); call Task explicitly.
    def enqueue(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault(META_KWARG, TaskMeta(request_id=context.request_id.get()).as_kwarg())
        result = Task.enqueue(self, *args, **kwargs)
        _after_enqueue(self)
        return result

    async def aenqueue(self, *args: Any, **kwargs: Any) -> Any:
        from asgiref.sync import sync_to_async

        # One thread hop for the insert and the wake-up notification together.
        return await sync_to_async(self.enqueue)(*args, **kwargs)


def _after_enqueue(task: Task) -> None:
    metrics.TASKS_ENQUEUED.labels(task.queue_name, task.module_path).inc()


def app_task(
    *,
    queue: str,
    max_retries: int = 3,
    retry_base_delay: float | None = None,
    permanent: tuple[type[BaseException], ...] = (),
) -> Callable[[Callable[..., T]], AppTask]:
    if queue not in settings.TASK_QUEUES:
        raise ValueError(f"unknown queue {queue!r}; known: {', '.join(settings.TASK_QUEUES)}")

    def decorate(fn: Callable[..., T]) -> AppTask:
        wants_attempt = "attempt" in inspect.signature(fn).parameters

        def run(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            return _run_attempt(created, context, fn, wants_attempt, args, kwargs)

        # The task is imported by workers from `module.qualname`: make the wrapper look
        # like the function it wraps (but keep its own signature, which takes context).
        run.__name__ = fn.__name__
        run.__qualname__ = fn.__qualname__
        run.__module__ = fn.__module__
        run.__doc__ = fn.__doc__

        created = AppTask(
            func=run,
            queue_name=queue,
            priority=settings.TASK_QUEUES[queue]
            if backend_supports_priority()
            else DEFAULT_TASK_PRIORITY,
            takes_context=True,
            max_retries=max_retries,
            retry_base_delay=retry_base_delay,
            permanent=DEFAULT_PERMANENT + tuple(permanent),
        )
        return created

    return decorate


def _run_attempt(
    task: AppTask,
    task_context: TaskContext,
    fn: Callable[..., Any],
    wants_attempt: bool,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    kwargs = dict(kwargs)
    meta = TaskMeta.pop_from(kwargs)
    task_id = str(task_context.task_result.id)
    queue = task_context.task_result.task.queue_name
    name = task.module_path
    tokens = (
        context.request_id.set(meta.request_id),
        context.task_id.set(task_id),
        context.task_attempt.set(meta.attempt),
    )
    metrics.TASKS_STARTED.labels(queue, name).inc()
    started = time.perf_counter()
    log = {"task": name, "queue": queue}
    logger.info("task started", extra=log)
    try:
        call_kwargs = {**kwargs, "attempt": meta.attempt} if wants_attempt else kwargs
        value = fn(*args, **call_kwargs)
    except Exception as exc:
        metrics.TASKS_FAILED.labels(queue, name).inc()
        _after_failure(task, task_id, queue, meta, args, kwargs, exc)
        raise
    else:
        metrics.TASKS_SUCCEEDED.labels(queue, name).inc()
        logger.info("task succeeded", extra=log)
        return value
    finally:
        metrics.TASK_DURATION.labels(queue, name).observe(time.perf_counter() - started)
        for var, token in zip(
            (context.request_id, context.task_id, context.task_attempt), tokens, strict=True
        ):
            var.reset(token)  # type: ignore[attr-defined]


def _after_failure(
    task: AppTask,
    task_id: str,
    queue: str,
    meta: TaskMeta,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    exc: Exception,
) -> None:
    """Retry the failed run, or dead-letter it. Never raises: the run must end with the
    task's own error, whatever happens to this bookkeeping (it is logged instead)."""
    from shared_domain.common.models import DeadLetter

    name = task.module_path
    root_id = meta.root_id or task_id
    log = {"task": name, "queue": queue}
    if isinstance(exc, task.permanent):
        reason = DeadLetter.Reason.PERMANENT
    elif meta.retries_used >= task.max_retries:
        reason = DeadLetter.Reason.EXHAUSTED
    else:
        delay = retry_delay(meta.retries_used + 1, task.retry_base_delay)
        next_meta = dataclasses.replace(meta, attempt=meta.attempt + 1, root_id=root_id)
        try:
            retry = enqueue_linked(
                task.using(queue_name=queue, run_after=timezone.now() + timedelta(seconds=delay)),
                args,
                {**kwargs, META_KWARG: next_meta.as_kwarg()},
                root_id=root_id,
                attempt=next_meta.attempt,
            )
        except Exception:  # a lost retry must become a dead letter, not lost work
            logger.exception("could not enqueue the retry of a failed task", extra=log)
            reason = DeadLetter.Reason.RETRY_FAILED
        else:
            metrics.TASKS_RETRIED.labels(queue, name).inc()
            logger.warning(
                "task failed (%s: %s); retry %d of %d in %.1fs",
                type(exc).__name__,
                exc,
                meta.retries_used + 1,
                task.max_retries,
                delay,
                extra={**log, "retry_task_id": str(retry.id)},
            )
            return
    try:
        dead_letter_record(
            task_path=name,
            queue_name=queue,
            args=list(args),
            kwargs=kwargs,
            root_task_id=root_id,
            last_task_id=task_id,
            attempts=meta.attempt,
            reason=reason,
            exc=exc,
            request_id=meta.request_id,
        )
    except Exception:  # the task result still records the error
        logger.exception("could not record the dead letter of a failed task", extra=log)


def enqueue_linked(
    task: Task,
    args: tuple[Any, ...] | list[Any],
    kwargs: dict[str, Any],
    *,
    root_id: str | None,
    attempt: int,
    owner_id: int | None = None,
) -> Any:
    """Enqueue `task` and record its lineage (`TaskLink`; `root_id=None`: it is a root)
    as one step: both happen or neither does. On the database backend the task row and
    its link share a transaction. RQ enqueues are not transactional, so there the job
    is deleted again when its link cannot be written."""
    with transaction.atomic():
        result = task.enqueue(*args, **kwargs)
        try:
            link_task(
                task_id=str(result.id),
                root_id=root_id or str(result.id),
                attempt=attempt,
                task_path=task.module_path,
                owner_id=owner_id,
            )
        except BaseException:
            if not is_database_backend(task.get_backend()):
                _discard_rq_job(str(result.id))
            raise
    return result


def _discard_rq_job(job_id: str) -> None:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.exceptions import NoSuchJobError

    with contextlib.suppress(NoSuchJobError):
        Job.fetch(job_id, connection=django_rq.get_connection()).delete()


def link_task(
    *, task_id: str, root_id: str, attempt: int, task_path: str, owner_id: int | None = None
) -> None:
    from shared_domain.common.models import TaskLink

    TaskLink.objects.create(
        task_id=task_id, root_id=root_id, attempt=attempt, task_path=task_path, owner_id=owner_id
    )


def dead_letter_record(
    *,
    task_path: str,
    queue_name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    root_task_id: str,
    last_task_id: str,
    attempts: int,
    reason: str,
    exc: BaseException,
    request_id: str | None = None,
) -> Any:
    from shared_domain.common.models import DeadLetter

    error_class = f"{type(exc).__module__}.{type(exc).__qualname__}"
    letter = DeadLetter.objects.create(
        task_path=task_path,
        queue_name=queue_name,
        args=args,
        kwargs={k: v for k, v in kwargs.items() if k != META_KWARG},
        root_task_id=root_task_id,
        last_task_id=last_task_id,
        attempts=attempts,
        reason=reason,
        error_class=error_class,
        error_message=str(exc)[:10_000],
        traceback="".join(traceback.format_exception(exc)),
        request_id=request_id or "",
    )
    metrics.TASKS_DEAD_LETTERED.labels(queue_name, task_path).inc()
    logger.error(
        "task dead-lettered (%s) after %d attempt(s): %s",
        reason,
        attempts,
        error_class,
        extra={"task": task_path, "queue": queue_name, "dead_letter_id": letter.pk},
    )
    return letter


def dead_letter_crashed(
    *,
    task_id: str,
    task_path: str,
    queue_name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    exc: BaseException,
) -> Any:
    """Dead-letter a task whose workers kept dying while running it (both backends)."""
    from shared_domain.common.models import DeadLetter

    meta = TaskMeta.read(kwargs)
    return dead_letter_record(
        task_path=task_path,
        queue_name=queue_name,
        args=list(args),
        kwargs=kwargs,
        root_task_id=meta.root_id or task_id,
        last_task_id=task_id,
        attempts=meta.attempt,
        reason=DeadLetter.Reason.CRASHED,
        exc=exc,
        request_id=meta.request_id,
    )


def enqueue_for_user(task: AppTask, user_id: int, *args: Any, **kwargs: Any) -> Any:
    """Enqueue on a user's behalf: they (and staff) may then read its status."""
    return enqueue_linked(task, args, kwargs, root_id=None, attempt=1, owner_id=user_id)
