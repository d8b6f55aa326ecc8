"""v2: the status of a background task the caller started. The response is the
domain's read model (shared_domain.common.selectors.TaskStatus) as it is."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth
from shared_domain.common.selectors import TaskStatus, atask_status_for

router = Router(tags=["tasks"])


@router.get(
    "/tasks/{task_id}",
    response={200: TaskStatus, 401: ErrorOut, 404: ErrorOut},
    auth=jwt_auth,
    operation_id="v2_task_status",
)
async def task_status(request: HttpRequest, task_id: str) -> TaskStatus:
    """Status of a task you started (staff: any task). Follows retries to the latest
    attempt. 404 for tasks of other users."""
    return await atask_status_for(task_id=task_id, user=current_user(request))
