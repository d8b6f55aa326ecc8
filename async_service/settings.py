"""Settings of the Django Ninja API (ASGI, uvicorn), served under /api/v2."""

from shared_domain.common.logging import logging_config
from shared_domain.settings.base import *  # noqa: F403
from shared_domain.settings.base import (
    DATA_DIR,
    DATABASES,
    INSTALLED_APPS,
    IS_PRODUCTION,
    LOG_LEVEL,
)
from shared_domain.settings.env import env_bool, env_str

SERVICE_NAME = "async"
LOGGING = logging_config(level=LOG_LEVEL, service=SERVICE_NAME)
DATABASES["default"]["OPTIONS"]["application_name"] = "fashionistar-async"

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.staticfiles", "ninja"]

# Every entry is async-capable (tests/unit/test_settings.py enforces it): a sync
# middleware would push each request through a thread hop.
MIDDLEWARE = [
    "shared_domain.common.middleware.RequestContextMiddleware",
    "shared_domain.accounts.middleware.ThrottleMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # API docs assets (Swagger UI), served natively in async.
    "servestatic.middleware.ServeStaticMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "async_service.urls"
ASGI_APPLICATION = "async_service.asgi.application"
CSRF_FAILURE_VIEW = "shared_domain.common.http.csrf_failure"

STATIC_USE_FINDERS = env_bool("STATIC_USE_FINDERS", not IS_PRODUCTION)
STATIC_URL = "/api/v2/static/"
STATIC_ROOT = (
    env_str("STATIC_ROOT", "" if STATIC_USE_FINDERS else str(DATA_DIR / "static" / "v2")) or None
)
SERVESTATIC_USE_FINDERS = STATIC_USE_FINDERS
SERVESTATIC_AUTOREFRESH = False

NINJA_PAGINATION_MAX_LIMIT = 100
