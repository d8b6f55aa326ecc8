"""Task lineage: each run of a logical task (first run, retries, re-drives) is linked
to the first one (`TaskLink`), and tasks started for a user record their owner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.tasks import Task

from shared_domain.common.tasking.backends import discard_rq_job, is_database_backend

if TYPE_CHECKING:
    from shared_domain.common.tasking.definition import AppTask


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
                discard_rq_job(str(result.id))
            raise
    return result


def link_task(
    *, task_id: str, root_id: str, attempt: int, task_path: str, owner_id: int | None = None
) -> None:
    from shared_domain.common.models import TaskLink

    TaskLink.objects.create(
        task_id=task_id, root_id=root_id, attempt=attempt, task_path=task_path, owner_id=owner_id
    )


def enqueue_for_user(task: AppTask, user_id: int, *args: Any, **kwargs: Any) -> Any:
    """Enqueue on a user's behalf: they (and staff) may then read its status."""
    return enqueue_linked(task, args, kwargs, root_id=None, attempt=1, owner_id=user_id)
