"""Liveness and readiness of the sync service (no auth, no throttling: probes call them)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.common import health
from shared_domain.common.errors import error_body
from sync_service.api.schemas import ErrorSerializer, HealthSerializer, ReadinessSerializer


class _ProbeApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()


class HealthzApi(_ProbeApi):
    @extend_schema(
        operation_id="healthz", tags=["health"], responses={200: HealthSerializer}, auth=[]
    )
    def get(self, request: Request) -> Response:
        """Liveness: the process answers HTTP. Checks no dependency."""
        return Response({"status": "ok", "service": settings.SERVICE_NAME})


class ReadyzApi(_ProbeApi):
    @extend_schema(
        operation_id="readyz",
        tags=["health"],
        responses={200: ReadinessSerializer, 503: ErrorSerializer},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        """Readiness: PostgreSQL answers (503 `not_ready` otherwise); Redis down is
        reported as `degraded`, still 200."""
        result = health.readiness()
        if not result.ready:
            body = error_body(
                "not_ready", "A dependency of this service is unavailable.", result.checks
            )
            return Response(body, status=503)
        return Response(result.body(settings.SERVICE_NAME))
