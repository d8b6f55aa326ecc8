"""Dead letters: tasks that failed for good, kept with their arguments and error for
staff to inspect and re-drive."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from shared_domain.common import metrics
from shared_domain.common.tasking.meta import META_KWARG, TaskMeta

logger = logging.getLogger("fashionistar.tasks")


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
