"""Defining tasks: `app_task` and the `AppTask` it makes, which runs each attempt with
the request id, attempt number and metrics, and hands failures to the retry policy."""

from __future__ import annotations

import dataclasses
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.tasks import Task, TaskContext
from django.tasks.base import DEFAULT_TASK_PRIORITY

from shared_domain.common import context, metrics, tracing
from shared_domain.common.tasking.backends import backend_supports_priority
from shared_domain.common.tasking.meta import META_KWARG, TaskMeta
from shared_domain.common.tasking.retry import DEFAULT_PERMANENT, after_failure

logger = logging.getLogger("fashionistar.tasks")

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AppTask(Task):
    """A django.tasks Task that carries request metadata and a retry policy."""

    max_retries: int = 3
    retry_base_delay: float | None = None
    permanent: tuple[type[BaseException], ...] = DEFAULT_PERMANENT

    # slots=True dataclasses cannot use zero-argument super(); call Task explicitly.
    def enqueue(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault(
            META_KWARG,
            TaskMeta(
                request_id=context.request_id.get(), traceparent=tracing.current_traceparent()
            ).as_kwarg(),
        )
        result = Task.enqueue(self, *args, **kwargs)
        _after_enqueue(self)
        return result

    async def aenqueue(self, *args: Any, **kwargs: Any) -> Any:
        from shared_domain.common.asyncdb import run_db

        # One thread hop for the insert and the wake-up notification together.
        return await run_db(self.enqueue, *args, **kwargs)


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
        with tracing.task_span(
            name,
            queue=queue,
            task_id=task_id,
            attempt=meta.attempt,
            traceparent=meta.traceparent,
        ):
            value = fn(*args, **call_kwargs)
    except Exception as exc:
        metrics.TASKS_FAILED.labels(queue, name).inc()
        after_failure(task, task_id, queue, meta, args, kwargs, exc)
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
