"""WSGI entry point of the sync service: `gunicorn -c sync_service/gunicorn_conf.py
sync_service.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sync_service.settings")

application = get_wsgi_application()
