import pytest

from shared_domain.common import health
from shared_domain.common.redis import reset_clients

pytestmark = pytest.mark.django_db(transaction=True)


async def test_healthz_answers_ok(async_client):
    response = await async_client.get("/api/v2/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "test"}
    assert len(response["X-Request-ID"]) == 32


async def test_readyz_checks_database_and_redis_concurrently(async_client, redis_db):
    response = await async_client.get("/api/v2/readyz", headers={"X-Request-ID": "r-2"})
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert response["X-Request-ID"] == "r-2"


async def test_readyz_is_ready_but_degraded_when_redis_is_unreachable(
    async_client, settings, redis_db
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    reset_clients()
    response = await async_client.get("/api/v2/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "service": "test",
        "checks": {"database": "ok", "redis": "unavailable"},
        "degraded": True,
    }


async def test_readyz_is_503_without_redis_when_it_holds_the_task_queues(
    async_client, settings, redis_db
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.TASKS_BACKEND = "rq"
    reset_clients()
    response = await async_client.get("/api/v2/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["details"] == {"database": "ok", "redis": "unavailable"}


async def test_readyz_reports_a_database_that_does_not_answer_in_time(
    async_client, settings, redis_db, monkeypatch
):
    settings.HEALTH_CHECK_TIMEOUT = 0.2

    def slow_check():
        import time

        time.sleep(1)
        return "ok"

    monkeypatch.setattr(health, "_check_database_in_thread", slow_check)
    response = await async_client.get("/api/v2/readyz")
    assert response.status_code == 503
    assert response.json()["error"]["details"]["database"] == "timeout"


async def test_openapi_document_and_docs_page(async_client):
    schema = await async_client.get("/api/v2/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v2/healthz",
        "/api/v2/readyz",
        "/api/v2/auth/login",
        "/api/v2/auth/refresh",
        "/api/v2/me",
        "/api/v2/tasks/{task_id}",
        "/api/v2/products/search",
        "/api/v2/products/{product_id}",
    } <= set(paths)
    login = paths["/api/v2/auth/login"]["post"]
    assert {"200", "400", "401", "429"} <= set(login["responses"])
    assert "requestBody" in login
    docs = await async_client.get("/api/v2/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
