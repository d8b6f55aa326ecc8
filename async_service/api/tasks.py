"""v2: the status of a background task the caller started."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth
from shared_domain.common.selectors import TaskStatus, atask_status_for

router = Router(tags=["tasks"])


class TaskStatusOut(Schema):
    id: str
    task: str
    status: str
    attempt: int
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    result: Any = None
    error: str | None = None


@router.get(
    "/tasks/{task_id}",
    response={200: TaskStatusOut, 401: ErrorOut, 404: ErrorOut},
    auth=jwt_auth,
    operation_id="v2_task_status",
)
async def task_status(request: HttpRequest, task_id: str) -> TaskStatus:
    """Status of a task you started (staff: any task). Follows retries to the latest
    attempt. 404 for tasks of other users."""
    return await atask_status_for(task_id=task_id, user=current_user(request))
