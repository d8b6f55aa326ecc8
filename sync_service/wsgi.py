"""WSGI entry point of the sync service: `gunicorn -c sync_service/gunicorn_conf.py
sync_service.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

from shared_domain.common import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sync_service.settings")

# Before the application loads its middleware: tracing adds its own (when switched on).
tracing.configure("sync")
application = get_wsgi_application()
