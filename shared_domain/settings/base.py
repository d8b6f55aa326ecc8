"""Settings common to sync_service, async_service and worker_service.

The environment is read here, once. A deployable's settings module does
`from shared_domain.settings.base import *` and changes only what differs
(installed API apps, middleware, urls, its service name).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from decimal import Decimal
from pathlib import Path
from typing import Any

from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from psycopg_pool import ConnectionPool

from shared_domain.common.logging import logging_config
from shared_domain.common.redis_url import RedisUrlError, parse_redis_url, rq_connection
from shared_domain.settings.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("FASHIONISTAR_DATA_DIR", str(BASE_DIR / ".data")))

# ------------------------------------------------------------------ environment and secrets
APP_ENV = env_str("APP_ENV", "development").strip().lower()
if APP_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"APP_ENV={APP_ENV!r}: use development, test or production")
IS_PRODUCTION = APP_ENV == "production"

DEBUG = env_bool("DEBUG", False)

DEV_SECRET_KEY = "insecure-development-only-key-never-use-it-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)

if IS_PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG=true is refused when APP_ENV=production")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "APP_ENV=production needs SECRET_KEY set to a strong random value (50+ characters)"
        )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
# Kubelet probes and Prometheus reach a pod by its IP; the downward API exports it.
if POD_IP := env_str("POD_IP", ""):
    ALLOWED_HOSTS.append(POD_IP)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("APP_ENV=production needs ALLOWED_HOSTS")

# ------------------------------------------------------------------ service identity
# Overridden by each deployable; appears in logs, metrics and the DB application_name.
SERVICE_NAME = "domain"

# ------------------------------------------------------------------ applications
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.postgres",
    "django_tasks_db",
    "corsheaders",
    "shared_domain.common",
    "shared_domain.notifications",
    "shared_domain.accounts",
    "shared_domain.catalog",
    "shared_domain.inventory",
    "shared_domain.shipping",
    "shared_domain.orders",
    "shared_domain.payments",
    "shared_domain.analytics",
    "shared_domain.sizing",
    "shared_domain.discovery",
]

AUTH_USER_MODEL = "accounts.User"
SITE_NAME = "Fashionistar"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every entry is async-capable: the async service must never run sync middleware.
MIDDLEWARE = [
    "shared_domain.web.middleware.RequestContextMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "shared_domain.web.middleware.ThrottleMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def templates_setting(*context_processors: str) -> list[dict[str, Any]]:
    """TEMPLATES with the common context processors plus a deployable's own."""
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.template.context_processors.csp",
                    *context_processors,
                ],
            },
        }
    ]


TEMPLATES = templates_setting()

# ------------------------------------------------------------------ database
DATABASE_URL = env_str("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/fashionistar")
# Behind PgBouncer in transaction mode a server-side cursor cannot outlive its transaction.
DB_PGBOUNCER = env_bool("DB_PGBOUNCER", False)
DB_POOL = env_bool("DB_POOL", True)

_database = parse_database_url(DATABASE_URL)
# A database outage must answer fast (503, see shared_domain.web.http) rather than
# hold every request: connecting and waiting for a pooled connection are both bounded
# well under a client's patience and the ingress's upstream timeout (5 s).
_database["OPTIONS"].setdefault("connect_timeout", str(env_int("DB_CONNECT_TIMEOUT", 2)))
# Parameters bound by the server (no quoting in Python) and, once a statement has run
# DB_PREPARE_THRESHOLD times on a connection, prepared (parsed and planned once): the
# checkout spends a third less of PostgreSQL's CPU. Behind PgBouncer in transaction
# mode prepared statements need its `max_prepared_statements`: off there by default.
DB_SERVER_SIDE_BINDING = env_bool("DB_SERVER_SIDE_BINDING", True)
# Blank: never prepare.
_prepare = env_str("DB_PREPARE_THRESHOLD", "" if DB_PGBOUNCER else "5").strip()
if DB_SERVER_SIDE_BINDING:
    _database["OPTIONS"]["server_side_binding"] = True
    _database["OPTIONS"]["prepare_threshold"] = (
        env_int("DB_PREPARE_THRESHOLD", 5, minimum=0) if _prepare else None
    )
if DB_POOL:
    _database["OPTIONS"]["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 1, minimum=0),
        "max_size": env_int("DB_POOL_MAX_SIZE", 10, minimum=1),
        "timeout": env_float("DB_POOL_TIMEOUT", 2.5),
        "max_idle": 300.0,
        # Every connection is checked (an empty query) before it is handed out, so the
        # stale connections of a restarted PostgreSQL are replaced, never used.
        "check": ConnectionPool.check_connection,
    }
# Threads that run database work for async code (`run_db`), per process: one
# connection each at most, so by default as many as the pool holds.
DB_THREADS = env_int("DB_THREADS", env_int("DB_POOL_MAX_SIZE", 10, minimum=1), minimum=1)
DATABASES = {
    "default": {
        **_database,
        # The psycopg pool owns connection lifetime; Django requires CONN_MAX_AGE=0 with it.
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": not DB_POOL,
        "DISABLE_SERVER_SIDE_CURSORS": DB_PGBOUNCER,
        "TEST": {"NAME": env_str("TEST_DATABASE_NAME", "") or None},
    }
}

# ------------------------------------------------------------------ redis and cache
# One node (redis://, rediss://), a Sentinel-managed master (redis+sentinel://) or a
# Cluster (redis+cluster://): see shared_domain.common.redis_url.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
try:
    parse_redis_url(REDIS_URL)
except RedisUrlError as error:
    raise ImproperlyConfigured(f"REDIS_URL: {error}") from error
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 1.0)

CACHES = {
    "default": {
        "BACKEND": "shared_domain.common.redis_cache.TopologyRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "fs",
        "TIMEOUT": 300,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
}

# ------------------------------------------------------------------ background tasks
# Priorities (django.tasks range -100..100) per queue; the RQ backend has no priorities,
# so there each queue is a separate RQ queue that workers subscribe to.
TASK_QUEUES: dict[str, int] = {
    "critical": 50,
    "emails": 20,
    "default": 0,
    "ai": -10,
    "analytics": -50,
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "db").strip().lower()
if TASKS_BACKEND == "db":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": list(TASK_QUEUES),
        }
    }
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": list(TASK_QUEUES),
        }
    }
    # RQ needs a plain connection (one node or a Sentinel master), never a Cluster;
    # RQ_REDIS_URL gives it a Redis of its own when REDIS_URL is a cluster.
    RQ_REDIS_URL = env_str("RQ_REDIS_URL", "") or REDIS_URL
    try:
        _rq_connection = rq_connection(RQ_REDIS_URL, socket_timeout=REDIS_SOCKET_TIMEOUT)
    except RedisUrlError as error:
        raise ImproperlyConfigured(str(error)) from error
    RQ_QUEUES = {name: {**_rq_connection, "DEFAULT_TIMEOUT": 600} for name in TASK_QUEUES}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r}: use db or rq")
# How often an RQ worker renews a running job's heartbeat; RQ declares a job abandoned
# this many seconds + 60 after its worker died.
RQ_JOB_MONITORING_INTERVAL = env_int("RQ_JOB_MONITORING_INTERVAL", 30, minimum=1)

# Retries: a failed run waits TASK_RETRY_BASE_DELAY, then twice that, then four times...
TASK_RETRY_BASE_DELAY = env_float("TASK_RETRY_BASE_DELAY", 60.0)
# How long finished task results, events and idempotency keys are kept.
TASK_RESULT_RETENTION_DAYS = env_int("TASK_RESULT_RETENTION_DAYS", 7, minimum=1)
EVENT_RETENTION_DAYS = env_int("EVENT_RETENTION_DAYS", 90, minimum=1)
IDEMPOTENCY_KEY_RETENTION_DAYS = env_int("IDEMPOTENCY_KEY_RETENTION_DAYS", 30, minimum=1)
# ------------------------------------------------------------------ commerce
# How long an unpaid order holds its stock before it is cancelled (payment_timeout).
ORDER_PAYMENT_TIMEOUT = env_int("ORDER_PAYMENT_TIMEOUT", 1800, minimum=60)
# The platform's commission on a vendor's sales when its profile sets none.
MARKETPLACE_COMMISSION_RATE = Decimal(env_str("MARKETPLACE_COMMISSION_RATE", "0.10"))
# Cart limits: units of one variant in a line, and lines in a cart.
CART_MAX_LINE_QUANTITY = env_int("CART_MAX_LINE_QUANTITY", 20, minimum=1)
CART_MAX_LINES = env_int("CART_MAX_LINES", 50, minimum=1)
# Vendor dashboard: variants with this many units available or fewer are "low stock";
# how many top products and low-stock variants it lists; the longest custom period.
ANALYTICS_LOW_STOCK_THRESHOLD = env_int("ANALYTICS_LOW_STOCK_THRESHOLD", 5, minimum=0)
ANALYTICS_TOP_PRODUCTS = env_int("ANALYTICS_TOP_PRODUCTS", 5, minimum=1)
ANALYTICS_MAX_PERIOD_DAYS = env_int("ANALYTICS_MAX_PERIOD_DAYS", 366, minimum=1)
# The staff platform report (task, admin page): how many top vendors it lists.
ANALYTICS_TOP_VENDORS = env_int("ANALYTICS_TOP_VENDORS", 10, minimum=1)
# `make bench-dashboard` only: GET /api/v2/vendor/dashboard then honours
# `?sequential=1` (the five reads one after another) and `?only=<read>` (one alone).
DASHBOARD_BENCH_PARAMS = env_bool("DASHBOARD_BENCH_PARAMS", False) and not IS_PRODUCTION
# Report files: written by tasks into a private storage (never served as static or
# media), handed out through signed links valid REPORT_URL_TTL seconds, pruned after
# REPORT_RETENTION_DAYS. In Kubernetes, point REPORTS_ROOT at a volume the worker and
# v1 share (or replace STORAGES["reports"] by an object store).
REPORTS_ROOT = Path(env_str("REPORTS_ROOT", str(DATA_DIR / "reports")))
REPORT_URL_TTL = env_int("REPORT_URL_TTL", 300, minimum=1)
REPORT_RETENTION_DAYS = env_int("REPORT_RETENTION_DAYS", 7, minimum=1)
REPORT_DOWNLOAD_PATH = "/api/v1/reports/files/"

# The event outbox: the publisher dispatches an event right after its commit; the
# relay in every worker process takes the ones still pending OUTBOX_GRACE_SECONDS
# later (publisher died, handler failed), checking every OUTBOX_RELAY_INTERVAL. A
# failed handler waits OUTBOX_RETRY_BASE_DELAY, doubling, and is dead-lettered after
# OUTBOX_MAX_ATTEMPTS.
OUTBOX_GRACE_SECONDS = env_float("OUTBOX_GRACE_SECONDS", 5.0)
OUTBOX_RELAY_INTERVAL = env_float("OUTBOX_RELAY_INTERVAL", 1.0)
OUTBOX_RETRY_BASE_DELAY = env_float("OUTBOX_RETRY_BASE_DELAY", 5.0)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10, minimum=1)
WORKER_OUTBOX_RELAY = env_bool("WORKER_OUTBOX_RELAY", True)
# Dotted path of the tuple of PeriodicJob the scheduler fires.
PERIODIC_JOBS = env_str("PERIODIC_JOBS", "shared_domain.schedule.SCHEDULE")

# The worker deployable: which queues a process consumes (run several deployments with
# different sets to isolate slow work, e.g. WORKER_QUEUES=analytics,ai), how many tasks
# it runs at once (threads), how long an idle thread waits before polling again (new
# tasks also wake it at once through LISTEN/NOTIFY), and its health/metrics port.
WORKER_QUEUES = env_list("WORKER_QUEUES", list(TASK_QUEUES))
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 4, minimum=1)
WORKER_POLL_INTERVAL = env_float("WORKER_POLL_INTERVAL", 1.0)
WORKER_HEALTH_HOST = env_str("WORKER_HEALTH_HOST", "0.0.0.0")  # noqa: S104 - pod network # nosec B104
WORKER_HEALTH_PORT = env_int("WORKER_HEALTH_PORT", 8003, minimum=0)
# Crash recovery: a worker renews its lease every WORKER_HEARTBEAT_INTERVAL seconds;
# tasks of a worker unseen for WORKER_LEASE_SECONDS go back to the queue, at most
# TASK_MAX_RECLAIMS times per task before it is dead-lettered.
WORKER_HEARTBEAT_INTERVAL = env_float("WORKER_HEARTBEAT_INTERVAL", 5.0)
WORKER_LEASE_SECONDS = env_float("WORKER_LEASE_SECONDS", 30.0)
TASK_MAX_RECLAIMS = env_int("TASK_MAX_RECLAIMS", 3, minimum=1)
# Every worker process also runs the scheduler loop (one fires at a time).
WORKER_SCHEDULER = env_bool("WORKER_SCHEDULER", True)
SCHEDULER_INTERVAL = env_float("SCHEDULER_INTERVAL", 1.0)
# LISTEN needs a session: through PgBouncer (transaction mode) give a direct URL here,
# or leave it empty to rely on polling alone.
TASK_LISTEN_DATABASE_URL = env_str(
    "TASK_LISTEN_DATABASE_URL", "" if DB_PGBOUNCER else DATABASE_URL
)

# ------------------------------------------------------------------ identity
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Verifying older hashes only; new and re-hashed passwords use Argon2.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def _derived_key(purpose: str) -> str:
    """A key for one purpose, derived from SECRET_KEY (rotating it rotates them all)."""
    return hmac.new(SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).hexdigest()


# JWTs (HS256): access 15 minutes, refresh 7 days, rotated on use.
# Unset, it is derived from SECRET_KEY (as strong as that). Set, production refuses a
# short or low-variety key, as it refuses a weak SECRET_KEY: HS256 tokens can be forged
# offline by anyone who guesses it.
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY", "")
if (
    IS_PRODUCTION
    and JWT_SIGNING_KEY
    and (
        len(JWT_SIGNING_KEY) < 32
        or len(set(JWT_SIGNING_KEY)) < 10
        or JWT_SIGNING_KEY == SECRET_KEY
    )
):
    raise ImproperlyConfigured(
        "APP_ENV=production needs JWT_SIGNING_KEY unset (derived from SECRET_KEY) or a "
        "strong random value (32+ characters, not SECRET_KEY itself)"
    )
JWT_SIGNING_KEY = JWT_SIGNING_KEY or _derived_key("jwt-signing")
JWT_ACCESS_LIFETIME = env_int("JWT_ACCESS_LIFETIME", 15 * 60, minimum=60)
JWT_REFRESH_LIFETIME = env_int("JWT_REFRESH_LIFETIME", 7 * 24 * 3600, minimum=300)
JWT_LEEWAY_SECONDS = env_int("JWT_LEEWAY_SECONDS", 5, minimum=0)
# A refresh token presented again less than this long after it was rotated is refused
# without ending the session: two tabs or a retried request raced for it. Later, it is
# a replayed copy and the whole session ends.
JWT_REFRESH_REUSE_GRACE_SECONDS = env_int("JWT_REFRESH_REUSE_GRACE_SECONDS", 10, minimum=0)
# Emailed one-time codes: stored as HMACs, 10-minute expiry, 5 attempts.
OTP_HMAC_KEY = _derived_key("one-time-codes")
OTP_TTL_SECONDS = env_int("OTP_TTL_SECONDS", 600, minimum=60)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 5, minimum=1)

# Rate limits ("N/second|minute|hour|day"), counted in Redis across every process.
# THROTTLE_ENABLED=false switches every one of them off. See the README, "Rate limits".
# - user: every request with a valid access token, per user;
# - catalog: anonymous GET/HEAD of the public catalogue, per client IP (a burst);
# - anon: other anonymous requests, per client IP;
# - the sign-in and code endpoints have their own buckets, never touched by browsing:
#   login per email and client IP, login_client per client IP across accounts,
#   login_account per account across IPs (not counted from the account's known IPs);
#   code, resend and password_reset per email and client IP; register and refresh
#   per client IP; password_change per user.
THROTTLE_ENABLED = env_bool("THROTTLE_ENABLED", True)
THROTTLE_RATES = {
    "anon": env_str("THROTTLE_ANON_RATE", "100/hour"),
    "user": env_str("THROTTLE_USER_RATE", "1000/hour"),
    "catalog": env_str("THROTTLE_CATALOG_RATE", "300/minute"),
    "login": env_str("THROTTLE_LOGIN_RATE", "5/minute"),
    "login_client": env_str("THROTTLE_LOGIN_CLIENT_RATE", "30/minute"),
    "login_account": env_str("THROTTLE_LOGIN_ACCOUNT_RATE", "20/hour"),
    "code": env_str("THROTTLE_CODE_RATE", "5/minute"),
    "resend": env_str("THROTTLE_RESEND_RATE", "3/minute"),
    "password_reset": env_str("THROTTLE_PASSWORD_RESET_RATE", "5/minute"),
    "register": env_str("THROTTLE_REGISTER_RATE", "10/hour"),
    "refresh": env_str("THROTTLE_REFRESH_RATE", "30/minute"),
    "password_change": env_str("THROTTLE_PASSWORD_CHANGE_RATE", "10/hour"),
    # Each photo upload decodes and re-encodes an image: a budget of its own per user.
    "measurement": env_str("THROTTLE_MEASUREMENT_RATE", "10/hour"),
}
# An address an account signed in from is "known" to it this many days after the last
# success: the per-account limit does not apply there, so an attacker elsewhere cannot
# lock the owner out.
THROTTLE_KNOWN_CLIENT_DAYS = env_float("THROTTLE_KNOWN_CLIENT_DAYS", 30.0)
# Each deployable sets these for its own URL layout. Paths under
# THROTTLE_EXEMPT_PREFIXES are not counted by the default limits (docs, static assets,
# admin); THROTTLE_OWN_LIMIT_PREFIXES are the sign-in/code endpoints with buckets of
# their own; THROTTLE_CATALOG_PREFIXES the public catalogue reads. A POST to
# ADMIN_LOGIN_PATH is limited like a sign-in.
THROTTLE_EXEMPT_PREFIXES: tuple[str, ...] = ()
THROTTLE_OWN_LIMIT_PREFIXES: tuple[str, ...] = ()
THROTTLE_CATALOG_PREFIXES: tuple[str, ...] = ()
ADMIN_LOGIN_PATH: str | None = None
# How many proxies (ingress, load balancer) append to X-Forwarded-For in front of the
# services, and the networks they connect from (private and loopback ranges by
# default): X-Forwarded-For is read only from a peer in these networks, and an entry
# outside them ends the walk from the right (shared_domain.web.middleware.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=0)
TRUSTED_PROXY_NETWORKS = tuple(
    env_list(
        "TRUSTED_PROXY_NETWORKS",
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
    )
)
for _network in TRUSTED_PROXY_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_NETWORKS: {_exc}") from None

# ------------------------------------------------------------------ email (Django 6.1 MAILERS)
MAIL_BACKEND = env_str("MAIL_BACKEND", "smtp" if IS_PRODUCTION else "file").strip().lower()
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fashionistar <no-reply@fashionistar.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_MAILER_BACKENDS = {
    "smtp": (
        "django.core.mail.backends.smtp.EmailBackend",
        {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": env_int("EMAIL_TIMEOUT", 10),
        },
    ),
    "file": (
        "django.core.mail.backends.filebased.EmailBackend",
        {"file_path": env_str("MAIL_FILE_PATH", str(DATA_DIR / "mail"))},
    ),
    "console": ("django.core.mail.backends.console.EmailBackend", {}),
    "locmem": ("django.core.mail.backends.locmem.EmailBackend", {}),
}
if MAIL_BACKEND not in _MAILER_BACKENDS:
    raise ImproperlyConfigured(f"MAIL_BACKEND={MAIL_BACKEND!r}: use {', '.join(_MAILER_BACKENDS)}")
MAILERS = {
    "default": {
        "BACKEND": _MAILER_BACKENDS[MAIL_BACKEND][0],
        "OPTIONS": _MAILER_BACKENDS[MAIL_BACKEND][1],
    }
}

# ------------------------------------------------------------------ catalog
# Search facet counts are cached this long (0 disables); items are never cached.
FACETS_CACHE_SECONDS = env_int("FACETS_CACHE_SECONDS", 30, minimum=0)

# ------------------------------------------------------------------ discovery
# How long a hybrid search waits for its query's embedding before it answers with
# full-text results alone (the embedding still lands in the cache for the next one).
SEARCH_EMBEDDING_BUDGET_MS = env_float("SEARCH_EMBEDDING_BUDGET_MS", 50.0)
# Nearest products a hybrid search fuses with the full-text results, and how close
# (cosine similarity) a product must be to count as a match at all.
SEARCH_HYBRID_CANDIDATES = env_int("SEARCH_HYBRID_CANDIDATES", 100, minimum=10)
SEARCH_HYBRID_MIN_SIMILARITY = env_float("SEARCH_HYBRID_MIN_SIMILARITY", 0.35)
# ONNX Runtime threads per model run, and threads per API process computing queries.
EMBEDDING_THREADS = env_int("EMBEDDING_THREADS", 1, minimum=1)
EMBEDDING_QUERY_THREADS = env_int("EMBEDDING_QUERY_THREADS", 1, minimum=1)

# ------------------------------------------------------------------ shipping
# HMAC-SHA256 key of the local courier's tracking webhook (X-Carrier-Signature).
LOCAL_COURIER_WEBHOOK_SECRET = env_str("LOCAL_COURIER_WEBHOOK_SECRET", "") or _derived_key(
    "local-courier-webhook"
)

# ------------------------------------------------------------------ payments
# Provider credentials and API hosts. The base URLs point at the providers' public APIs
# unless overridden (`make run` and the e2e tests point them at the local sandbox).
# Outside production an unset key is derived from SECRET_KEY, so signatures still work
# locally; the sandbox is given the same values. Production refuses to start without
# the real keys of every provider in PAYMENT_PROVIDERS (as it refuses a default
# SECRET_KEY): a derived key would sign and check webhooks with a value the provider
# does not know, and every payment would silently stay pending.
_PAYMENT_SECRETS = {
    "paystack": {"PAYSTACK_SECRET_KEY": "paystack-secret"},
    "stripe": {"STRIPE_SECRET_KEY": "stripe-secret", "STRIPE_WEBHOOK_SECRET": "stripe-webhook"},
}
# The providers this deployment takes payments with; leaving one out turns it off (its
# payments cannot start, its webhooks are 404 unknown_provider) and its keys are then
# not required.
PAYMENT_PROVIDERS = [p.lower() for p in env_list("PAYMENT_PROVIDERS", list(_PAYMENT_SECRETS))]
if unknown_providers := sorted(set(PAYMENT_PROVIDERS) - set(_PAYMENT_SECRETS)):
    raise ImproperlyConfigured(
        f"PAYMENT_PROVIDERS names {', '.join(unknown_providers)}: use "
        f"{' and/or '.join(_PAYMENT_SECRETS)}"
    )
_PAYMENT_SECRET_MIN_LENGTH = 20
if IS_PRODUCTION:
    for _provider in PAYMENT_PROVIDERS:
        for _name, _purpose in _PAYMENT_SECRETS[_provider].items():
            _given = env_str(_name, "").strip()
            if len(_given) < _PAYMENT_SECRET_MIN_LENGTH or _given == _derived_key(_purpose):
                raise ImproperlyConfigured(
                    f"APP_ENV=production needs {_name} set to the {_provider} account's "
                    f"secret, or {_provider} left out of PAYMENT_PROVIDERS"
                )
PAYSTACK_SECRET_KEY = env_str("PAYSTACK_SECRET_KEY", "") or _derived_key("paystack-secret")
PAYSTACK_BASE_URL = env_str("PAYSTACK_BASE_URL", "https://api.paystack.co").rstrip("/")
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "") or _derived_key("stripe-secret")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "") or _derived_key("stripe-webhook")
STRIPE_BASE_URL = env_str("STRIPE_BASE_URL", "https://api.stripe.com").rstrip("/")
# A Stripe-Signature older (or newer) than this many seconds is refused (replays).
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300, minimum=1)
# Where the provider's page sends the customer back (Paystack callback_url); empty:
# the provider's dashboard setting applies.
PAYMENT_CALLBACK_URL = env_str("PAYMENT_CALLBACK_URL", "")
# Outgoing provider calls: seconds per call, attempts on transient failures (5xx,
# connection errors, timeouts) and the first pause between them (doubling).
PAYMENT_HTTP_TIMEOUT = env_float("PAYMENT_HTTP_TIMEOUT", 10.0)
PAYMENT_HTTP_ATTEMPTS = env_int("PAYMENT_HTTP_ATTEMPTS", 3, minimum=1)
PAYMENT_HTTP_BACKOFF = env_float("PAYMENT_HTTP_BACKOFF", 0.5)
# A customer back from the provider's page polls GET /api/v1/payments/{reference}: a
# pending attempt is verified with the provider at most this often.
PAYMENT_RETURN_VERIFY_INTERVAL = env_int("PAYMENT_RETURN_VERIFY_INTERVAL", 5, minimum=0)
# The reconciliation job verifies attempts still pending after this many seconds.
PAYMENT_RECONCILE_AFTER = env_int("PAYMENT_RECONCILE_AFTER", 900, minimum=0)
# How long after payment a vendor may refund its own part of an order.
VENDOR_REFUND_WINDOW_DAYS = env_int("VENDOR_REFUND_WINDOW_DAYS", 30, minimum=0)
# Largest webhook body accepted from a provider (larger: 413, nothing stored).
PAYMENT_WEBHOOK_MAX_BYTES = env_int("PAYMENT_WEBHOOK_MAX_BYTES", 262_144, minimum=1024)

# ------------------------------------------------------------------ live order updates
# An idle order-events stream (SSE) sends a comment this often so proxies keep it open.
SSE_HEARTBEAT_SECONDS = env_float("SSE_HEARTBEAT_SECONDS", 15.0)

# ------------------------------------------------------------------ photo measurements
# A customer's full-body photo: at most this many bytes (larger: 413), JPEG/PNG/WebP as
# decoded (never by name), at most this many pixels (decompression bombs). It is stored
# re-encoded without metadata in a private storage (no URL), read by the estimator task
# and deleted when the task ends; a photo whose task never ended is deleted after the
# retention (the measurement then fails with `expired`).
MEASUREMENT_PHOTO_MAX_BYTES = env_int("MEASUREMENT_PHOTO_MAX_BYTES", 8 * 1024 * 1024, minimum=1024)
MEASUREMENT_PHOTO_MAX_PIXELS = env_int("MEASUREMENT_PHOTO_MAX_PIXELS", 40_000_000, minimum=10_000)
MEASUREMENT_PHOTO_ROOT = env_str(
    "MEASUREMENT_PHOTO_ROOT", str(DATA_DIR / "private" / "measurement-photos")
)
MEASUREMENT_PHOTO_RETENTION_HOURS = env_int("MEASUREMENT_PHOTO_RETENTION_HOURS", 24, minimum=1)
# Dotted path of the class that estimates body measurements from a photo (see
# shared_domain.sizing.estimation.Estimator). Empty: none is installed, and uploads are
# refused with 503 `estimator_unavailable`.
MEASUREMENT_ESTIMATOR = env_str("MEASUREMENT_ESTIMATOR", "")
# Files: report files (analytics) and measurement photos (sizing) in private storages,
# never served as static or media.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(REPORTS_ROOT)},
    },
    "measurement_photos": {
        "BACKEND": "shared_domain.sizing.photos.PrivateFileSystemStorage",
        "OPTIONS": {"location": MEASUREMENT_PHOTO_ROOT},
    },
}
# Paths whose request body may be larger than MAX_REQUEST_BODY_BYTES (path -> bytes);
# each deployable names its upload endpoints.
LARGE_BODY_PATHS: dict[str, int] = {}

# ------------------------------------------------------------------ HTTP limits and health
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 1_048_576, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
HEALTH_CHECK_TIMEOUT = env_float("HEALTH_CHECK_TIMEOUT", 2.0)

# ------------------------------------------------------------------ i18n, time
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# ------------------------------------------------------------------ security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Swagger UI and the admin set inline style attributes from their own scripts.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if IS_PRODUCTION:
    # TLS ends at the ingress, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Probes and Prometheus speak plain HTTP to the pod.
    SECURE_REDIRECT_EXEMPT = [r"^api/v[12]/(healthz|readyz)$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# ------------------------------------------------------------------ CORS (django-cors-headers)
# Browser front ends on other origins. Only the listed origins (exact scheme://host[:port])
# may call the APIs from a page; credentials (cookies) are off: the APIs take bearer
# tokens. Preflights are answered inside the request-id middleware (they carry
# X-Request-ID) and before rate limiting (they are never throttled).
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_CREDENTIALS = env_bool("CORS_ALLOW_CREDENTIALS", False)
CORS_URLS_REGEX = r"^/api/v[12]/"
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["x-request-id", "retry-after"]
CORS_PREFLIGHT_MAX_AGE = env_int("CORS_PREFLIGHT_MAX_AGE", 3600, minimum=0)

# ------------------------------------------------------------------ logging
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").strip().upper()
LOGGING_CONFIG = "logging.config.dictConfig"
LOGGING = logging_config(level=LOG_LEVEL, service=SERVICE_NAME)
