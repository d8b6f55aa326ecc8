"""Identity-aware rate limiting for both APIs (see shared_domain.common.throttling)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from shared_domain.accounts import tokens
from shared_domain.common import context, throttling
from shared_domain.common.errors import NotAuthenticated
from shared_domain.common.http import json_error_response


class ThrottleMiddleware:
    """The default rate limits of every API request: THROTTLE_RATES["user"] per user
    for requests with a valid bearer token, ["anon"] per client IP otherwise. Probes,
    metrics, docs and static assets are not counted. Stricter per-endpoint limits
    (sign-in, codes) are enforced by those endpoints."""

    sync_capable = True
    async_capable = True
    exempt_suffixes = ("/healthz", "/readyz")
    exempt_prefixes = (
        "/api/v1/static/",
        "/api/v2/static/",
        "/api/v1/docs",
        "/api/v2/docs",
        "/api/v1/schema",
        "/api/v2/openapi.json",
        "/api/v1/admin/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        scope = self._scope(request)
        if scope is not None:
            decision = throttling.hit(*scope)
            if not decision.allowed:
                return _throttled(scope[0], decision.retry_after)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        scope = self._scope(request)
        if scope is not None:
            decision = await throttling.ahit(*scope)
            if not decision.allowed:
                return _throttled(scope[0], decision.retry_after)
        response: HttpResponseBase = await self.get_response(request)
        return response

    def _scope(self, request: HttpRequest) -> tuple[str, str] | None:
        path = request.path
        if (
            not settings.THROTTLE_ENABLED
            or not path.startswith("/api/")
            or path.endswith(self.exempt_suffixes)
            or path.startswith(self.exempt_prefixes)
        ):
            return None
        user_id = _bearer_user_id(request)
        if user_id is not None:
            return "user", f"user:{user_id}"
        return "anon", f"ip:{context.client_ip.get() or 'unknown'}"


def _bearer_user_id(request: HttpRequest) -> int | None:
    """The user id of a well-signed, unexpired access token (no database lookup:
    this only picks the rate-limit bucket; authentication happens in the view)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return tokens.decode(token.strip(), expected_type=tokens.ACCESS).user_id
    except NotAuthenticated:
        return None


def _throttled(scope: str, retry_after: int) -> HttpResponseBase:
    return json_error_response(
        429,
        details={"scope": scope, "retry_after": retry_after},
        headers={"Retry-After": str(retry_after)},
    )
