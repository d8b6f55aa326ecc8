from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
import redis
from django.conf import settings
from django.test import AsyncClient, Client

from shared_domain.common.redis import reset_clients
from shared_domain.web import throttling


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def async_client() -> AsyncClient:
    return AsyncClient()


@pytest.fixture
def run_tasks(transactional_db, redis_db) -> Callable[..., None]:
    """run_tasks(until=predicate, timeout=s): run due tasks in this process."""
    from tests.taskrunner import run_tasks as run

    return run


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters of one test must not leak into the next."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    client.close()
    throttling.local_windows.clear()
    return


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    """The tests' own Redis database, empty before and after the test."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    reset_clients()
    yield client
    client.flushdb()
    client.close()
    reset_clients()


@pytest.fixture
def subprocess_env(db) -> dict[str, str]:
    """Environment for a child process (server, worker) that must see the test database."""
    import os

    from django.db import connection

    from deploy.localstack.backing import database_url_for

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = database_url_for(
        os.environ["DATABASE_URL"], connection.settings_dict["NAME"]
    )
    env["REDIS_URL"] = settings.REDIS_URL
    env["APP_ENV"] = "test"
    if settings.TASK_LISTEN_DATABASE_URL and settings.DB_PGBOUNCER:
        env["TASK_LISTEN_DATABASE_URL"] = settings.TASK_LISTEN_DATABASE_URL
    return env


@pytest.fixture(scope="session", autouse=True)
def _close_db_pool_before_teardown(django_db_setup, django_db_blocker):
    """Pooled connections opened by test threads would keep the test database busy
    and make its teardown fail; close the pool before pytest-django drops it."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    with django_db_blocker.unblock():
        # Async tests ran their ORM calls on asgiref's single sync thread.
        SyncToAsync.single_thread_executor.submit(connections.close_all).result()
        for conn in connections.all():
            if getattr(conn, "pool", None) is not None:
                conn.close_pool()  # type: ignore[attr-defined]
        # Behind PgBouncer (`make pytest-pgbouncer`) its server connections to the test
        # database stay open in its pool: drop them, or the database cannot be dropped.
        admin = os.environ.get("PGBOUNCER_ADMIN_URL")
        if admin:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as bouncer:
                bouncer.execute(f'KILL "{connections["default"].settings_dict["NAME"]}"')
