"""ASGI entry point of the async service: `python -m async_service` (uvicorn)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "async_service.settings")

application = get_asgi_application()
