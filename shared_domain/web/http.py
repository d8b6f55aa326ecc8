"""Plain-Django HTTP helpers shared by both APIs: the JSON error response and the
views Django calls for errors raised outside any API framework (unknown routes,
crashes, CSRF failures)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

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

# PostgreSQL unreachable, restarting, or every pooled connection busy past
# DB_POOL_TIMEOUT: an outage to wait out, not a bug.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_SECONDS = 5


def database_unavailable_response(exc: Exception) -> HttpResponse:
    logger.warning("database unavailable: %s", exc)
    return json_error_response(
        503,
        code="service_unavailable",
        message="The database is temporarily unavailable; try again shortly.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


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


def allow_head(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer HEAD wherever the view answers GET: the GET response, without its body.

    Django's class-based views (v1) do this themselves; Ninja routes only the methods an
    operation declares, and declaring HEAD on each would list every GET twice in the
    OpenAPI document. A streamed response (an event stream) is closed at once."""

    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method != "HEAD":
                return await view(request, *args, **kwargs)
            request.method = "GET"
            try:
                response = await view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
            return _without_body(response)

        return async_wrapper

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method != "HEAD":
            return view(request, *args, **kwargs)
        request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            request.method = "HEAD"
        return _without_body(response)

    return wrapper


def _without_body(response: HttpResponseBase) -> HttpResponseBase:
    if isinstance(response, HttpResponse):
        length = len(response.content)
        response.content = b""
        response["Content-Length"] = str(length)
        return response
    response.close()  # a stream: stop producing it
    empty = HttpResponse(status=response.status_code)
    for name, value in response.items():
        empty[name] = value
    return empty
