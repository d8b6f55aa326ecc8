"""v1: the status of a background task the caller started."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.common.selectors import task_status_for
from sync_service.api.permissions import current_user
from sync_service.api.schema import errors


class TaskStatusOut(serializers.Serializer[dict[str, object]]):
    """shared_domain.common.selectors.TaskStatus for the OpenAPI document (with its
    status choices and field help); a test keeps the two field for field."""

    id = serializers.CharField()
    task = serializers.CharField()
    status = serializers.ChoiceField(choices=["READY", "RUNNING", "SUCCESSFUL", "FAILED"])
    attempt = serializers.IntegerField()
    enqueued_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    result = serializers.JSONField(allow_null=True, help_text="The return value, once SUCCESSFUL.")
    error = serializers.CharField(allow_null=True, help_text="Exception class, once FAILED.")


class TaskStatusApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["tasks"],
        responses={200: TaskStatusOut, **errors(e401="not_authenticated", e404="not_found")},
    )
    def get(self, request: Request, task_id: str) -> Response:
        """Status of a task you started (staff: any task). Follows retries to the latest
        attempt. 404 for tasks of other users."""
        status = task_status_for(task_id=task_id, user=current_user(request))
        return Response(TaskStatusOut(asdict(status)).data)
