"""Identity-aware rate limiting for both APIs (see shared_domain.common.throttling)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from shared_domain.accounts.bearer import request_access_claims
from shared_domain.accounts.throttles import Bucket, login_buckets, per_user
from shared_domain.common import throttling
from shared_domain.common.errors import NotAuthenticated
from shared_domain.common.http import json_error_response

ADMIN_PREFIX = "/api/v1/admin/"
ADMIN_LOGIN = f"{ADMIN_PREFIX}login/"


class ThrottleMiddleware:
    """The default rate limits of every API request: THROTTLE_RATES["user"] per user
    for requests with a valid bearer token, ["anon"] per client IP otherwise. Probes,
    metrics, docs and static assets are not counted. Stricter per-endpoint limits
    (sign-in, codes) are enforced by those endpoints; the admin's login form, a
    sign-in like the APIs', is limited here with the same buckets. The rest of the
    admin is staff on session cookies, not counted."""

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
    )

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        for scope, ident in self._buckets(request):
            decision = throttling.hit(scope, ident)
            if not decision.allowed:
                return _throttled(scope, decision.retry_after)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        for scope, ident in self._buckets(request):
            decision = await throttling.ahit(scope, ident)
            if not decision.allowed:
                return _throttled(scope, decision.retry_after)
        response: HttpResponseBase = await self.get_response(request)
        return response

    def _buckets(self, request: HttpRequest) -> tuple[Bucket, ...]:
        path = request.path
        if (
            not settings.THROTTLE_ENABLED
            or not path.startswith("/api/")
            or path.endswith(self.exempt_suffixes)
            or path.startswith(self.exempt_prefixes)
        ):
            return ()
        if path.startswith(ADMIN_PREFIX):
            if path == ADMIN_LOGIN and request.method == "POST":
                return login_buckets(request.POST.get("username", ""))
            return ()
        user_id = _bearer_user_id(request)
        if user_id is not None:
            return (("user", per_user(user_id)),)
        return (("anon", f"ip:{throttling.client_ident()}"),)


def _bearer_user_id(request: HttpRequest) -> int | None:
    """The user id of a well-signed, unexpired access token (no database lookup:
    this only picks the rate-limit bucket; authentication happens in the view)."""
    try:
        claims = request_access_claims(request)
    except NotAuthenticated:
        return None
    return None if claims is None else claims.user_id


def _throttled(scope: str, retry_after: int) -> HttpResponseBase:
    return json_error_response(
        429,
        details={"scope": scope, "retry_after": retry_after},
        headers={"Retry-After": str(retry_after)},
    )
