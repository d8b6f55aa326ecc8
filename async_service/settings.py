"""Settings of the Django Ninja API (ASGI, uvicorn), served under /api/v2."""

from shared_domain.common.logging import logging_config
from shared_domain.settings.base import *  # noqa: F403
from shared_domain.settings.base import (
    DATA_DIR,
    DATABASES,
    INSTALLED_APPS,
    IS_PRODUCTION,
    LOG_LEVEL,
    MEASUREMENT_PHOTO_MAX_BYTES,
)
from shared_domain.settings.env import env_bool, env_str

SERVICE_NAME = "async"
LOGGING = logging_config(level=LOG_LEVEL, service=SERVICE_NAME)
DATABASES["default"]["OPTIONS"]["application_name"] = "fashionistar-async"

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.staticfiles",
    "ninja",
    "async_service.apps.AsyncServiceConfig",
]

# Every entry runs natively on the event loop (tests enforce it): Django's own
# security middlewares would hop to a thread for each hook of each request, so their
# inline equivalents stand in (async_service/middleware.py). There is no CSRF
# middleware: every v2 endpoint is exempt (bearer tokens, no cookie sessions).
MIDDLEWARE = [
    "shared_domain.web.middleware.RequestContextMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "shared_domain.web.middleware.ThrottleMiddleware",
    "async_service.middleware.AsyncSecurityMiddleware",
    # API docs assets (Swagger UI), served natively in async.
    "servestatic.middleware.ServeStaticMiddleware",
    "async_service.middleware.AsyncContentSecurityPolicyMiddleware",
    "async_service.middleware.AsyncXFrameOptionsMiddleware",
]
# Django checks for its middlewares by dotted path; the inline subclasses above are
# the same code (async_service.checks verifies they are present instead).
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002", "security.W003"]


ROOT_URLCONF = "async_service.urls"
ASGI_APPLICATION = "async_service.asgi.application"
CSRF_FAILURE_VIEW = "shared_domain.web.http.csrf_failure"

STATIC_USE_FINDERS = env_bool("STATIC_USE_FINDERS", not IS_PRODUCTION)
STATIC_URL = "/api/v2/static/"
STATIC_ROOT = (
    env_str("STATIC_ROOT", "" if STATIC_USE_FINDERS else str(DATA_DIR / "static" / "v2")) or None
)
SERVESTATIC_USE_FINDERS = STATIC_USE_FINDERS
# The default rate limits do not count the API docs and their assets.
THROTTLE_EXEMPT_PREFIXES = (STATIC_URL, "/api/v2/docs", "/api/v2/openapi.json")
THROTTLE_OWN_LIMIT_PREFIXES = ("/api/v2/auth/",)
THROTTLE_CATALOG_PREFIXES = ("/api/v2/products", "/api/v2/categories")
# The photo upload of measurements: the photo plus a little room for the form around it.
LARGE_BODY_PATHS = {"/api/v2/measurements": MEASUREMENT_PHOTO_MAX_BYTES + 65_536}
SERVESTATIC_AUTOREFRESH = False

NINJA_PAGINATION_MAX_LIMIT = 100
