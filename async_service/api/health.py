"""Liveness and readiness of the async service (no auth: probes call them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from async_service.api.common_schemas import ErrorOut
from async_service.api.health_schemas import HealthOut, ReadinessOut
from shared_domain.common import health
from shared_domain.common.errors import error_body

router = Router(tags=["health"])


@router.get("/healthz", response=HealthOut, auth=None, operation_id="v2_healthz")
async def healthz(request: HttpRequest) -> dict[str, Any]:
    """Liveness: the event loop answers. Checks no dependency."""
    return {"status": "ok", "service": settings.SERVICE_NAME}


@router.get(
    "/readyz",
    response={200: ReadinessOut, 503: ErrorOut},
    auth=None,
    operation_id="v2_readyz",
)
async def readyz(request: HttpRequest) -> Status[dict[str, Any]]:
    """Readiness: PostgreSQL answers (503 otherwise); Redis down is reported as
    `degraded`, still 200. Both are checked concurrently."""
    result = await health.areadiness()
    if not result.ready:
        return Status(
            503,
            error_body("not_ready", "A dependency of this service is unavailable.", result.checks),
        )
    return Status(200, result.body(settings.SERVICE_NAME))
