"""WSGI entry point of the sync service: `gunicorn -c sync_service/gunicorn_conf.py
sync_service.wsgi:application`."""

import io
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from shared_domain.common import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sync_service.settings")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ChunkedBodies:
    """Give Django the body of a `Transfer-Encoding: chunked` request.

    Django reads exactly CONTENT_LENGTH bytes of wsgi.input, so a chunked request (no
    Content-Length) looked empty: its JSON silently lost. gunicorn de-chunks wsgi.input;
    this reads at most MAX_REQUEST_BODY_BYTES + 1 bytes of it and sets CONTENT_LENGTH,
    so a body over the limit gets the request middleware's JSON 413 like any other."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(settings.MAX_REQUEST_BODY_BYTES + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


# Before the application loads its middleware: tracing adds its own (when switched on).
tracing.configure("sync")
application = ChunkedBodies(get_wsgi_application())
