"""The database pool's figures reach /metrics (the dashboard's DB pool panel)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from prometheus_client import REGISTRY

from shared_domain.common import metrics

pytestmark = pytest.mark.django_db(transaction=True)


def _sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": settings.SERVICE_NAME, **labels})


def test_pool_figures_are_recorded_after_use():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    pool = getattr(connection, "pool", None)  # the PostgreSQL backend's psycopg pool
    if pool is None:
        pytest.skip("DB_POOL is off in this environment")
    metrics.record_db_pool()
    in_use = _sample("fashionistar_db_pool_connections", state="in_use")
    idle = _sample("fashionistar_db_pool_connections", state="idle")
    assert in_use is not None
    assert in_use >= 1  # this test's connection is checked out
    assert idle is not None
    assert idle >= 0
    assert _sample("fashionistar_db_pool_connections", state="max") == pool.max_size
    assert _sample("fashionistar_db_pool_waiting") == 0
