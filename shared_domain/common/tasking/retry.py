"""The retry policy: which errors are retried, after how long, and what becomes of a
task that failed for good."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from shared_domain.common import metrics
from shared_domain.common.tasking.dead_letters import dead_letter_record
from shared_domain.common.tasking.lineage import enqueue_linked
from shared_domain.common.tasking.meta import META_KWARG, TaskMeta

if TYPE_CHECKING:
    from shared_domain.common.tasking.definition import AppTask

logger = logging.getLogger("fashionistar.tasks")


class PermanentTaskError(Exception):
    """Raise from a task when retrying cannot help (bad input, gone object...)."""


DEFAULT_PERMANENT: tuple[type[BaseException], ...] = (PermanentTaskError, ObjectDoesNotExist)


def retry_delay(attempt: int, base: float | None = None) -> float:
    """Seconds to wait before attempt `attempt + 1`: base, 2*base, 4*base, ..."""
    base_delay = settings.TASK_RETRY_BASE_DELAY if base is None else base
    return float(base_delay * (2 ** (attempt - 1)))


def after_failure(
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
