"""The middlewares every HTTP service runs first.

RequestContextMiddleware, first of all, for each request: sets the request id (echoes
a valid `X-Request-ID`, else makes one) so every log line and task carries it; refuses
bodies over the size limit with 413 before anything reads them, and NUL characters in
the path or query string with 400 (PostgreSQL text cannot store them); turns framework
error pages (HTML or plain text 4xx/5xx, e.g. Ninja's 405) into the JSON error body;
records Prometheus metrics; and writes one access log line. ThrottleMiddleware, next,
applies the default rate limits. Both work natively in WSGI and ASGI, so the async
service never pays for a sync hop.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from shared_domain.common import context, metrics
from shared_domain.common.errors import NotAuthenticated, Throttled, ValidationFailed
from shared_domain.web import throttling
from shared_domain.web.bearer import request_access_claims
from shared_domain.web.http import (
    JSON_CONTENT_TYPE,
    domain_error_response,
    json_error_response,
)
from shared_domain.web.inputs import reject_nul_in_url
from shared_domain.web.throttles import (
    Bucket,
    alogin_limit,
    alogin_succeeded,
    login_limit,
    login_succeeded,
    per_client,
    per_user,
)

access_logger = logging.getLogger("fashionistar.access")

REQUEST_ID_HEADER = "X-Request-ID"
# Headers that describe the replaced body; every other header survives the JSON rewrite.
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})
_CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PROBE_SUFFIXES = ("/healthz", "/readyz")


_REQUEST_VARS: tuple[ContextVar[Any], ...] = (
    context.request_id,
    context.user_id,
    context.client_ip,
    context.user_agent,
)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for rate limits and the audit log.

    X-Forwarded-For is read only when the peer is a proxy (its address is in
    TRUSTED_PROXY_NETWORKS), and then from the right, one entry per proxy, for at most
    TRUSTED_PROXY_COUNT entries: the first address that is not itself a proxy's is
    the client. Only the proxies' own entries (the rightmost) are trusted, and a client
    cannot add entries to the right of them, so a wrong setting cannot be abused:
    with too high a count the walk still stops at the address the last proxy saw,
    and with a proxy count but no proxy (a server reached directly) the header is
    ignored. Every spoofed value thus lands in the attacker's real bucket."""
    peer = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not trusted or not forwarded or not _is_proxy(peer):
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops[-trusted:]):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return peer
        client = str(address)
        if not _is_proxy(client):
            break
    return client


def _is_proxy(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _proxy_networks(settings.TRUSTED_PROXY_NETWORKS))


@functools.cache
def _proxy_networks(
    networks: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


_CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"


def _no_response(request: HttpRequest) -> HttpResponseBase:
    raise AssertionError("used only for its CORS headers")


class RequestContextMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        self.service = settings.SERVICE_NAME
        self.max_body = settings.MAX_REQUEST_BODY_BYTES
        # Refusals answered here never reach the CORS middleware below: they get its
        # headers from it directly, so a page of an allowed origin can read them.
        self.cors = (
            CorsMiddleware(_no_response) if _CORS_MIDDLEWARE in settings.MIDDLEWARE else None
        )

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        started = time.perf_counter()
        tokens = self._enter(request)
        try:
            response = self._refuse(request) or self.get_response(request)
            return self._leave(request, response, started)
        finally:
            self._reset(tokens)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        tokens = self._enter(request)
        try:
            response = self._refuse(request)
            if response is None:
                pending: Awaitable[HttpResponseBase] = self.get_response(request)
                response = await pending
            return self._leave(request, response, started)
        finally:
            self._reset(tokens)

    # -------------------------------------------------------------- steps
    def _refuse(self, request: HttpRequest) -> HttpResponseBase | None:
        """The 413 or 400 of a request refused before any other middleware, with the
        CORS headers its origin is allowed."""
        response = self._reject_body(request) or self._reject_url(request)
        if response is not None and self.cors is not None:
            self.cors.add_response_headers(request, response)
        return response

    def _enter(self, request: HttpRequest) -> tuple[Any, ...]:
        rid = context.clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = rid  # type: ignore[attr-defined]
        return (
            context.request_id.set(rid),
            context.user_id.set(None),
            context.client_ip.set(client_ip(request)),
            context.user_agent.set(request.headers.get("User-Agent", "")[:255]),
        )

    @staticmethod
    def _reset(tokens: tuple[Any, ...]) -> None:
        for var, token in zip(_REQUEST_VARS, tokens, strict=True):
            var.reset(token)

    def _reject_body(self, request: HttpRequest) -> HttpResponseBase | None:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return json_error_response(400, message="Content-Length is not a number.")
        # Upload endpoints (LARGE_BODY_PATHS) take larger bodies and check their own
        # limits; every other path keeps MAX_REQUEST_BODY_BYTES.
        limit = settings.LARGE_BODY_PATHS.get(request.path, self.max_body)
        if length > limit:
            return json_error_response(
                413,
                message=f"The request body is larger than {limit} bytes.",
                details={"max_bytes": limit},
            )
        return None

    @staticmethod
    def _reject_url(request: HttpRequest) -> HttpResponseBase | None:
        try:
            reject_nul_in_url(path=request.path, query=request.GET.lists())
        except ValidationFailed as exc:
            return domain_error_response(exc)
        return None

    def _leave(
        self, request: HttpRequest, response: HttpResponseBase, started: float
    ) -> HttpResponseBase:
        if response.status_code >= 400 and not _is_json(response):
            response = _as_json_error(response)
        response[REQUEST_ID_HEADER] = context.request_id.get() or ""
        # Answers to a bearer token, and to writes (tokens, orders, profiles), are
        # personal: no browser or shared cache may keep them.
        if "Cache-Control" not in response and (
            "Authorization" in request.headers or request.method not in _CACHEABLE_METHODS
        ):
            response["Cache-Control"] = "no-store"

        duration = time.perf_counter() - started
        method = request.method if request.method in _KNOWN_METHODS else "OTHER"
        match = getattr(request, "resolver_match", None)
        route = f"/{match.route}" if match is not None and match.route else "<unmatched>"
        metrics.observe_http_request(
            service=self.service,
            method=method or "OTHER",
            route=route,
            status=response.status_code,
            duration=duration,
        )
        metrics.record_db_pool()
        level = (
            logging.ERROR
            if response.status_code >= 500
            else logging.WARNING
            if response.status_code >= 400
            # Probes (the ingress's every 2 s, Kubernetes') would drown the log.
            else logging.DEBUG
            if request.path.endswith(_PROBE_SUFFIXES)
            else logging.INFO
        )
        access_logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
            },
        )
        return response


def _is_json(response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.startswith((JSON_CONTENT_TYPE, "application/problem+json"))


def _as_json_error(response: HttpResponseBase) -> HttpResponseBase:
    if getattr(response, "streaming", False):
        return response
    kept = {name: value for name, value in response.items() if name.lower() not in _BODY_HEADERS}
    return json_error_response(response.status_code, headers=kept)


class ThrottleMiddleware:
    """The default rate limits of every API request, so that browsing never blocks
    signing in:

    - requests with a valid bearer token: THROTTLE_RATES["user"] per user;
    - anonymous GET/HEAD of the public catalogue (THROTTLE_CATALOG_PREFIXES):
      ["catalog"] per client IP, a generous per-minute burst of its own;
    - other anonymous requests: ["anon"] per client IP.

    Sign-in, registration, code and password endpoints (THROTTLE_OWN_LIMIT_PREFIXES)
    are not counted here: they enforce their own, stricter buckets
    (shared_domain.web.throttles), which catalogue browsing never touches. Probes,
    metrics and the deployable's THROTTLE_EXEMPT_PREFIXES (docs, static assets, the
    admin: staff on session cookies) are not counted either. The admin's login form
    (ADMIN_LOGIN_PATH), a sign-in like the APIs', is limited here with the same
    buckets as theirs."""

    sync_capable = True
    async_capable = True
    exempt_suffixes = ("/healthz", "/readyz")

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        if _is_admin_login(request):
            email = request.POST.get("username", "")
            try:
                login_limit(email=email)
            except Throttled as exc:
                return domain_error_response(exc)
            response = self.get_response(request)
            if response.status_code == 302:  # signed in: redirected to the admin
                login_succeeded(email=email)
            return response
        for scope, ident in self._buckets(request):
            decision = throttling.hit(scope, ident)
            if not decision.allowed:
                return _throttled(scope, decision.retry_after)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase
        if _is_admin_login(request):
            email = request.POST.get("username", "")
            try:
                await alogin_limit(email=email)
            except Throttled as exc:
                return domain_error_response(exc)
            response = await self.get_response(request)
            if response.status_code == 302:
                await alogin_succeeded(email=email)
            return response
        for scope, ident in self._buckets(request):
            decision = await throttling.ahit(scope, ident)
            if not decision.allowed:
                return _throttled(scope, decision.retry_after)
        response = await self.get_response(request)
        return response

    def _buckets(self, request: HttpRequest) -> tuple[Bucket, ...]:
        path = request.path
        if (
            not settings.THROTTLE_ENABLED
            or not path.startswith("/api/")
            or path.endswith(self.exempt_suffixes)
            or path.startswith(
                (*settings.THROTTLE_EXEMPT_PREFIXES, *settings.THROTTLE_OWN_LIMIT_PREFIXES)
            )
        ):
            return ()
        user_id = _bearer_user_id(request)
        if user_id is not None:
            return (("user", per_user(user_id)),)
        if request.method in {"GET", "HEAD"} and path.startswith(
            tuple(settings.THROTTLE_CATALOG_PREFIXES)
        ):
            return (("catalog", per_client()),)
        return (("anon", per_client()),)


def _is_admin_login(request: HttpRequest) -> bool:
    return (
        settings.ADMIN_LOGIN_PATH is not None
        and request.path == settings.ADMIN_LOGIN_PATH
        and request.method == "POST"
    )


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
