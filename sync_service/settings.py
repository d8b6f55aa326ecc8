"""Settings of the DRF API (WSGI, gunicorn), served under /api/v1."""

from shared_domain.common.logging import logging_config
from shared_domain.common.timefmt import API_DATETIME_FORMAT
from shared_domain.settings.base import *  # noqa: F403
from shared_domain.settings.base import (
    DATA_DIR,
    DATABASES,
    INSTALLED_APPS,
    IS_PRODUCTION,
    LOG_LEVEL,
    templates_setting,
)
from shared_domain.settings.env import env_bool, env_str

SERVICE_NAME = "sync"
LOGGING = logging_config(level=LOG_LEVEL, service=SERVICE_NAME)
DATABASES["default"]["OPTIONS"]["application_name"] = "fashionistar-sync"

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

# The base list plus sessions/auth/messages for the admin, and static assets.
MIDDLEWARE = [
    "shared_domain.web.middleware.RequestContextMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "shared_domain.web.middleware.ThrottleMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Admin and API docs assets, served by this process so the ingress stays a router.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = templates_setting(
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
)

ROOT_URLCONF = "sync_service.urls"
WSGI_APPLICATION = "sync_service.wsgi.application"
CSRF_FAILURE_VIEW = "shared_domain.web.http.csrf_failure"

# Development and tests serve assets straight from the apps; images run collectstatic
# into STATIC_ROOT and set STATIC_USE_FINDERS=false.
STATIC_USE_FINDERS = env_bool("STATIC_USE_FINDERS", not IS_PRODUCTION)
STATIC_URL = "/api/v1/static/"
STATIC_ROOT = (
    env_str("STATIC_ROOT", "" if STATIC_USE_FINDERS else str(DATA_DIR / "static" / "v1")) or None
)
WHITENOISE_USE_FINDERS = STATIC_USE_FINDERS
# The default rate limits do not count the API docs, the admin (staff on session
# cookies) and static assets; the admin's login form is limited like the APIs' sign-in.
ADMIN_LOGIN_PATH = "/api/v1/admin/login/"
# Carrier and payment provider webhooks authenticate by signature and come in bursts
# from a few provider addresses.
THROTTLE_EXEMPT_PREFIXES = (
    STATIC_URL,
    "/api/v1/docs",
    "/api/v1/schema",
    "/api/v1/admin/",
    "/api/v1/shipping/webhooks/",
    "/api/v1/payments/webhooks/",
)
# Sign-in, registration, code and password endpoints: limited by buckets of their own.
THROTTLE_OWN_LIMIT_PREFIXES = ("/api/v1/auth/",)
# Anonymous reads of the public catalogue: a per-IP burst budget of their own.
THROTTLE_CATALOG_PREFIXES = ("/api/v1/products", "/api/v1/categories")
WHITENOISE_AUTOREFRESH = False

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["sync_service.api.renderers.ApiJSONRenderer"],
    # Serializers' timestamps in the one format of both APIs (shared_domain.common.timefmt).
    "DATETIME_FORMAT": API_DATETIME_FORMAT,
    "DEFAULT_PARSER_CLASSES": ["sync_service.api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["sync_service.api.auth.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "EXCEPTION_HANDLER": "sync_service.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "sync_service.api.schema.ContractAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
    "STRICT_JSON": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fashionistar API v1",
    "DESCRIPTION": (
        "Synchronous REST API: registration, sign-in and tokens, the signed-in user and "
        "the vendor profile; the catalog (categories, products); the vendor back office "
        "for products, variants, images and stock; the status of background tasks. "
        "Errors always use the body "
        '`{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sync_service.api.schema.complete_responses",
    ],
}
