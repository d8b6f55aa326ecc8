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


class TaskDownloadOut(serializers.Serializer[dict[str, object]]):
    name = serializers.CharField(help_text="csv or chart.")
    content_type = serializers.CharField()
    url = serializers.CharField(help_text="Signed link; no bearer token needed.")
    expires_at = serializers.DateTimeField(help_text="The link stops working then (410).")


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
    progress = serializers.IntegerField(
        allow_null=True, help_text="Percent done, for tasks that report it (reports)."
    )
    downloads = TaskDownloadOut(
        many=True,
        help_text="Files the task produced (reports), once done; links are new at every read.",
    )


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
