"""ASGI entry point of the async service: `python -m async_service` (uvicorn)."""

import asyncio
import os
from contextlib import closing

import django
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.db import close_old_connections, reset_queries
from django.urls import set_script_prefix

from shared_domain.common import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "async_service.settings")


class AsyncServiceHandler(ASGIHandler):
    """Django's ASGI handler without a thread per request.

    Django runs every request in a `ThreadSensitiveContext`, so the sync code of a
    request (the request signals' receivers, `response.close()`) gets a new thread
    of its own, started and joined per request. Here no request runs sync code that
    could block: database work goes through `run_db` (a pool of threads, each
    connection returned after the call), so that sync code runs on asgiref's one
    shared thread instead, and requests do not wait on thread start-up.

    Nor a hand-off to that thread at the end of each request: Django closes the
    response with `sync_to_async`, which costs a round trip to the shared thread (and
    a wait for the interpreter lock while other requests run) per request. Closing a
    response here runs the `request_finished` receivers, none of which does I/O on
    this thread (the event loop owns no database connection), so it is done inline.
    `handle` is Django 6.1's with that one change."""

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def handle(self, scope, receive, send):  # type: ignore[no-untyped-def]
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        with closing(body_file):
            set_script_prefix(get_script_prefix(scope))
            await signals.request_started.asend(sender=self.__class__, scope=scope)
            request, error_response = self.create_request(scope, body_file)
            if request is None:
                body_file.close()
                if error_response is not None:  # always, when there is no request
                    await self.send_response(error_response, send)
                    error_response.close()
                return

            class RequestProcessed(Exception):
                pass

            response = None
            try:
                try:
                    async with asyncio.TaskGroup() as tg:
                        tg.create_task(self.listen_for_disconnect(receive))
                        response = await self.run_get_response(request)
                        await self.send_response(response, send)
                        raise RequestProcessed
                except* (RequestProcessed, RequestAborted):
                    pass
            except BaseExceptionGroup as exception_group:
                if len(exception_group.exceptions) == 1:
                    raise exception_group.exceptions[0] from None
                raise

            if response is None:
                await signals.request_finished.asend(sender=self.__class__)
            else:
                response.close()


# Before the application loads its middleware: tracing adds its own (when switched on).
tracing.configure("async")
django.setup(set_prefix=False)
# Nothing to reset or close when a request starts: the query log is per connection
# (DEBUG only) and connections belong to `run_db` calls, which close their own.
signals.request_started.disconnect(reset_queries)
signals.request_started.disconnect(close_old_connections)
application = AsyncServiceHandler()
