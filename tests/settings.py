"""Test settings: both APIs in one process (v1 and v2 URLs side by side) on real
PostgreSQL and Redis, with the slow parts made fast."""

import os

from tests.embedded import ensure_backing_services, redis_url_with_db

ensure_backing_services()
os.environ.setdefault("APP_ENV", "test")
# Seconds-scale timings for retries, leases and the scheduler. Set in the environment
# so that worker processes the tests start inherit them too.
for name, value in {
    # RQ schedules to the whole second, so its retries need a longer base to be measured.
    "TASK_RETRY_BASE_DELAY": "2" if os.environ.get("TASKS_BACKEND") == "rq" else "0.2",
    "WORKER_HEARTBEAT_INTERVAL": "0.2",
    "WORKER_LEASE_SECONDS": "1.5",
    "SCHEDULER_INTERVAL": "0.2",
    "WORKER_POLL_INTERVAL": "0.2",
    "OUTBOX_GRACE_SECONDS": "0.5",
    "OUTBOX_RELAY_INTERVAL": "0.1",
    "OUTBOX_RETRY_BASE_DELAY": "0.2",
    # Every test request comes from 127.0.0.1: the hourly defaults would trip across
    # the suite. Tests of throttling set their own rates.
    "THROTTLE_ANON_RATE": "100000/hour",
    "THROTTLE_USER_RATE": "100000/hour",
    "THROTTLE_REGISTER_RATE": "100000/hour",
    # Facet counts must follow each test's data at once (one test turns caching on).
    "FACETS_CACHE_SECONDS": "0",
}.items():
    os.environ.setdefault(name, value)
# Tests flush their Redis database; never the one a developer's stack uses.
os.environ["REDIS_URL"] = redis_url_with_db(os.environ["REDIS_URL"], 15)

from sync_service.settings import *  # noqa: E402, F403
from sync_service.settings import DATABASES as _databases  # noqa: E402
from sync_service.settings import DB_PGBOUNCER as _pgbouncer  # noqa: E402
from sync_service.settings import (  # noqa: E402
    INSTALLED_APPS,
    MEASUREMENT_PHOTO_MAX_BYTES,
    THROTTLE_CATALOG_PREFIXES,
    THROTTLE_EXEMPT_PREFIXES,
    THROTTLE_OWN_LIMIT_PREFIXES,
)
from sync_service.settings import TASK_LISTEN_DATABASE_URL as _listen_url  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "ninja"]
ROOT_URLCONF = "tests.urls"
# v2's routes are served here too: its unthrottled paths (as in async_service.settings).
THROTTLE_EXEMPT_PREFIXES = (
    *THROTTLE_EXEMPT_PREFIXES,
    "/api/v2/static/",
    "/api/v2/docs",
    "/api/v2/openapi.json",
)
THROTTLE_OWN_LIMIT_PREFIXES = (*THROTTLE_OWN_LIMIT_PREFIXES, "/api/v2/auth/")
THROTTLE_CATALOG_PREFIXES = (*THROTTLE_CATALOG_PREFIXES, "/api/v2/products", "/api/v2/categories")
LARGE_BODY_PATHS = {"/api/v2/measurements": MEASUREMENT_PHOTO_MAX_BYTES + 65_536}
SERVICE_NAME = "test"

# Behind PgBouncer (`make pytest-pgbouncer`) the LISTEN session goes straight to
# PostgreSQL: to the test database, like every other connection of the tests.
if _pgbouncer and _listen_url:
    from deploy.localstack.backing import database_url_for

    TASK_LISTEN_DATABASE_URL = database_url_for(
        _listen_url, "test_" + _databases["default"]["NAME"]
    )

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = None
