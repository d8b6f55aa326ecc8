"""Reads of the common context: the status of a background task.

A context whose tasks have more to say than their status (how far along a report is,
where to download it) registers a reader for its task with
`task_status_extras_register` (in its AppConfig.ready()); the status then carries
the reader's `progress` and `downloads`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.tasks import TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist

from shared_domain.common.asyncdb import run_db
from shared_domain.common.errors import NotFound
from shared_domain.common.models import TaskLink

_TASK_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")

# The RQ backend raises the django-tasks backport's own "does not exist".
_MISSING: tuple[type[Exception], ...] = (TaskResultDoesNotExist, ValueError)
try:
    from django_tasks.exceptions import TaskResultDoesNotExist as _BackportMissing
except ImportError:  # pragma: no cover - the backport comes with django-tasks-rq
    pass
else:
    _MISSING = (*_MISSING, _BackportMissing)


@dataclass(frozen=True)
class TaskDownload:
    """A file a task produced: a short-lived link that works without a bearer token."""

    name: str
    content_type: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class TaskExtras:
    progress: int | None = None
    downloads: list[TaskDownload] = field(default_factory=list)


# task module path -> reader(root task id) -> extras, or None when it knows nothing.
TaskExtrasReader = Callable[[str], TaskExtras | None]
_EXTRAS: dict[str, TaskExtrasReader] = {}


def task_status_extras_register(*, task_path: str, reader: TaskExtrasReader) -> None:
    _EXTRAS[task_path] = reader


@dataclass(frozen=True)
class TaskStatus:
    """What both APIs answer about a task: v2 returns it as it is, v1 through a
    serializer that mirrors it. `result` is the return value once SUCCESSFUL, `error`
    the exception class once FAILED."""

    id: str
    task: str
    status: str
    attempt: int
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    result: Any
    error: str | None
    progress: int | None = None
    downloads: list[TaskDownload] = field(default_factory=list)


def task_status_for(*, task_id: str, user: Any) -> TaskStatus:
    """Status of a task started on a user's behalf, following its retries to the latest
    attempt. Only that user and staff may see it; for anyone else, and for ids that
    do not exist, it is not found."""
    if not _TASK_ID.match(task_id):
        raise NotFound("No such task.")
    root_id = (
        TaskLink.objects.filter(task_id=task_id).values_list("root_id", flat=True).first()
        or task_id
    )
    # Every attempt of the logical task (a handful of rows), latest first: the root's
    # row says who owns it, the first row which attempt to report.
    lineage = list(
        TaskLink.objects.filter(root_id=root_id)
        .order_by("-attempt")
        .values_list("task_id", "attempt", "owner_id")
    )
    owners = [owner for linked_id, _, owner in lineage if linked_id == root_id]
    is_staff = bool(getattr(user, "is_platform_staff", False))
    if not is_staff and (not owners or owners[0] != user.pk):
        raise NotFound("No such task.")
    latest_id, attempt = (lineage[0][0], lineage[0][1]) if lineage else (root_id, 1)
    try:
        result = default_task_backend.get_result(latest_id)
    except _MISSING:
        raise NotFound("No such task.") from None
    status = str(result.status)
    error = None
    if status == TaskResultStatus.FAILED and result.errors:
        error = result.errors[-1].exception_class_path
    reader = _EXTRAS.get(result.task.module_path)
    extras = (reader(root_id) if reader else None) or TaskExtras()
    return TaskStatus(
        id=root_id,
        task=result.task.name,
        status=status,
        attempt=attempt,
        enqueued_at=result.enqueued_at,
        started_at=result.started_at,
        finished_at=result.finished_at,
        result=result.return_value if status == TaskResultStatus.SUCCESSFUL else None,
        error=error,
        progress=extras.progress,
        downloads=extras.downloads,
    )


async def atask_status_for(*, task_id: str, user: Any) -> TaskStatus:
    return await run_db(task_status_for, task_id=task_id, user=user)
