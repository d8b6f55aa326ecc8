"""ASGI entry point of the async service: `python -m async_service` (uvicorn)."""

import os

import django
from django.core import signals
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections, reset_queries

from shared_domain.common import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "async_service.settings")


class AsyncServiceHandler(ASGIHandler):
    """Django's ASGI handler without a thread per request.

    Django runs every request in a `ThreadSensitiveContext`, so the sync code of a
    request (the request signals' receivers, `response.close()`) gets a new thread
    of its own, started and joined per request. Here no request runs sync code that
    could block: database work goes through `run_db` (a pool of threads, each
    connection returned after the call), so that sync code runs on asgiref's one
    shared thread instead, and requests do not wait on thread start-up."""

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)


# Before the application loads its middleware: tracing adds its own (when switched on).
tracing.configure("async")
django.setup(set_prefix=False)
# Nothing to reset or close when a request starts: the query log is per connection
# (DEBUG only) and connections belong to `run_db` calls, which close their own.
signals.request_started.disconnect(reset_queries)
signals.request_started.disconnect(close_old_connections)
application = AsyncServiceHandler()
