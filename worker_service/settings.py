"""Settings of the task worker and scheduler (no public HTTP; a small health port)."""

from shared_domain.common.logging import logging_config
from shared_domain.settings.base import *  # noqa: F403
from shared_domain.settings.base import DATABASES, LOG_LEVEL

SERVICE_NAME = "worker"
LOGGING = logging_config(level=LOG_LEVEL, service=SERVICE_NAME)
DATABASES["default"]["OPTIONS"]["application_name"] = "fashionistar-worker"
