"""Plain-Django HTTP helpers shared by both APIs: the JSON error response and the
views Django calls for errors raised outside any API framework (unknown routes,
crashes, CSRF failures)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse

from shared_domain.common.errors import DomainError, Throttled, error_body, error_for_status

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json"


def json_response(data: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=JSON_CONTENT_TYPE,
    )


def json_error_response(
    status: int,
    *,
    code: str | None = None,
    message: str | None = None,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    default_code, default_message = error_for_status(status)
    response = json_response(
        error_body(code or default_code, message or default_message, details), status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


BEARER_CHALLENGE = 'Bearer realm="api"'


def domain_error_response(exc: DomainError) -> HttpResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.http_status == 401:
        headers["WWW-Authenticate"] = BEARER_CHALLENGE
    return json_error_response(
        exc.http_status, code=exc.code, message=exc.message, details=exc.details, headers=headers
    )


# Django's handler400/403/404/500 (set in each service's urls.py).
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return json_error_response(400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return json_error_response(403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return json_error_response(404, message="No route matches this path.")


def server_error(request: HttpRequest) -> HttpResponse:
    return json_error_response(500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return json_error_response(403, code="csrf_failed", message="CSRF verification failed.")
