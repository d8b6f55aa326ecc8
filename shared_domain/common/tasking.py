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
  `attempt` keyword argument (and is in `context.task_attempt`);
- a `DeadLetter` once it has failed for good, which staff can re-drive;
- Prometheus counters per queue and task (enqueued, started, succeeded, failed,
  retried, dead-lettered) and a duration histogram.

Tasks are at-least-once: keep them idempotent (see `shared_domain.common.idempotency`).
"""

from __future__ import annotations

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
from django.db import connections, transaction
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
# Wakes idle database workers the moment a task is committed (see worker_service).
NOTIFY_CHANNEL = "fashionistar_tasks"


class PermanentTaskError(Exception):
    """Raise from a task when retrying cannot help (bad input, gone object...)."""


DEFAULT_PERMANENT: tuple[type[BaseException], ...] = (PermanentTaskError, ObjectDoesNotExist)


@dataclasses.dataclass(frozen=True)
class TaskMeta:
    request_id: str | None = None
    attempt: int = 1
    root_id: str | None = None

    def as_kwarg(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "attempt": self.attempt, "root_id": self.root_id}

    @classmethod
    def pop_from(cls, kwargs: dict[str, Any]) -> TaskMeta:
        raw = kwargs.pop(META_KWARG, None)
        if not isinstance(raw, Mapping):
            return cls()
        return cls(
            request_id=raw.get("request_id"),
            attempt=int(raw.get("attempt") or 1),
            root_id=raw.get("root_id"),
        )


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
    if is_database_backend(task.get_backend()):
        # NOTIFY is transactional too: delivered only if the enqueuing transaction commits.
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, task.queue_name])


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
            return _run_attempt(task_obj(), context, fn, wants_attempt, args, kwargs)

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

        def task_obj() -> AppTask:
            return created

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
    name = task.module_path
    root_id = meta.root_id or task_id
    if isinstance(exc, task.permanent):
        reason = "permanent"
    elif meta.attempt > task.max_retries:
        reason = "exhausted"
    else:
        delay = retry_delay(meta.attempt, task.retry_base_delay)
        retry = task.using(run_after=timezone.now() + timedelta(seconds=delay))
        next_meta = TaskMeta(request_id=meta.request_id, attempt=meta.attempt + 1, root_id=root_id)
        with transaction.atomic():
            result = retry.enqueue(*args, **kwargs, **{META_KWARG: next_meta.as_kwarg()})
            link_task(
                task_id=str(result.id), root_id=root_id, attempt=next_meta.attempt, task_path=name
            )
        metrics.TASKS_RETRIED.labels(queue, name).inc()
        logger.warning(
            "task failed (%s: %s); retry %d of %d in %.1fs",
            type(exc).__name__,
            exc,
            meta.attempt,
            task.max_retries,
            delay,
            extra={"task": name, "queue": queue, "retry_task_id": str(result.id)},
        )
        return
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
    exc: BaseException | None = None,
    error_class: str = "",
    error_message: str = "",
    error_traceback: str = "",
    request_id: str | None = None,
) -> Any:
    from shared_domain.common.models import DeadLetter

    if exc is not None:
        error_class = f"{type(exc).__module__}.{type(exc).__qualname__}"
        error_message = str(exc)
        error_traceback = "".join(traceback.format_exception(exc))
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
        error_message=error_message[:10_000],
        traceback=error_traceback,
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


def enqueue_for_user(task: AppTask, user_id: int, *args: Any, **kwargs: Any) -> Any:
    """Enqueue on a user's behalf: they (and staff) may then read its status."""
    with transaction.atomic():
        result = task.enqueue(*args, **kwargs)
        link_task(
            task_id=str(result.id),
            root_id=str(result.id),
            attempt=1,
            task_path=task.module_path,
            owner_id=user_id,
        )
    return result
