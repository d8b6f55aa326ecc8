"""ASGI entry point of the async service: `python -m async_service` (uvicorn)."""

import os

from django.core.asgi import get_asgi_application

from shared_domain.common import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "async_service.settings")

# Before the application loads its middleware: tracing adds its own (when switched on).
tracing.configure("async")
application = get_asgi_application()
