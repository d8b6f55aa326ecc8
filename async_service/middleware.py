"""Django's security middlewares, run natively on the event loop.

In an ASGI stack Django runs a MiddlewareMixin's hooks through
sync_to_async(thread_sensitive=True): every request of the process queues for one
thread, several times. The hooks of these middlewares only read settings and set
headers (no I/O), so calling them directly is safe and removes those hops. Each class
is the Django middleware itself, so behaviour and settings are unchanged; a system
check (async_service.checks) makes sure they stand in for Django's.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware


class _InlineHooks:
    get_response: Any

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = None
        if hasattr(self, "process_request"):
            response = self.process_request(request)
        response = response or await self.get_response(request)
        if hasattr(self, "process_response"):
            response = self.process_response(request, response)
        return response


class AsyncSecurityMiddleware(_InlineHooks, SecurityMiddleware):
    pass


class AsyncContentSecurityPolicyMiddleware(_InlineHooks, ContentSecurityPolicyMiddleware):
    pass


class AsyncXFrameOptionsMiddleware(_InlineHooks, XFrameOptionsMiddleware):
    pass
