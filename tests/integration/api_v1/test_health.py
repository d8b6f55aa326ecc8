import pytest
from django.db import OperationalError, connections

from shared_domain.common.redis import reset_clients

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok(client):
    response = client.get("/api/v1/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "test"}


def test_readyz_checks_database_and_redis(client, redis_db):
    response = client.get("/api/v1/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_is_ready_but_degraded_when_redis_is_unreachable(client, settings, redis_db):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    reset_clients()
    response = client.get("/api/v1/readyz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["degraded"]) == ("degraded", True)
    assert body["checks"] == {"database": "ok", "redis": "unavailable"}


def test_readyz_is_503_when_the_database_fails(client, redis_db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    # On the class: the check runs on a thread of its own (its own connection).
    monkeypatch.setattr(type(connections["default"]), "cursor", broken_cursor)
    response = client.get("/api/v1/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["details"]["database"] == "unavailable"
