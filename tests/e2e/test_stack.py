"""The three deployables behind the ingress, driven over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from deploy.localstack.backing import REPO_ROOT

pytestmark = pytest.mark.e2e


def _error(response: httpx.Response) -> dict:
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.mark.parametrize(
    ("path", "service"), [("/api/v1/healthz", "sync"), ("/api/v2/healthz", "async")]
)
def test_health_through_the_ingress_reaches_the_right_server(ingress, path, service):
    response = ingress.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": service}
    assert response.headers["via"].endswith("Caddy")


def test_v1_is_served_by_gunicorn_and_v2_by_uvicorn(stack):
    v1 = httpx.get(f"http://127.0.0.1:{stack.ports.sync}/api/v1/healthz")
    v2 = httpx.get(f"http://127.0.0.1:{stack.ports.async_}/api/v2/healthz")
    assert v1.headers["server"] == "gunicorn"
    assert v2.json()["service"] == "async"
    # Each server only knows its own prefix.
    assert httpx.get(f"http://127.0.0.1:{stack.ports.sync}/api/v2/healthz").status_code == 404
    assert httpx.get(f"http://127.0.0.1:{stack.ports.async_}/api/v1/healthz").status_code == 404


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_readiness_through_the_ingress(ingress, prefix):
    response = ingress.get(f"{prefix}/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_request_id_is_echoed_or_generated(ingress, prefix):
    echoed = ingress.get(f"{prefix}/healthz", headers={"X-Request-ID": "e2e-trace-1"})
    assert echoed.headers["x-request-id"] == "e2e-trace-1"
    generated = ingress.get(f"{prefix}/healthz")
    assert len(generated.headers["x-request-id"]) == 32


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_unknown_route_is_the_json_error_body(ingress, prefix):
    response = ingress.get(f"{prefix}/no/such/route")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    assert "x-request-id" in response.headers


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_wrong_method_is_the_json_error_body(ingress, prefix):
    response = ingress.delete(f"{prefix}/healthz")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_paths_outside_the_apis_are_not_routed(ingress):
    for path in ("/", "/metrics", "/admin/"):
        response = ingress.get(path)
        assert response.status_code == 404
        assert _error(response)["code"] == "not_found"


def test_docs_and_their_assets_are_served_by_each_service(ingress):
    v1 = ingress.get("/api/v1/docs/")
    v2 = ingress.get("/api/v2/docs")
    assert v1.status_code == v2.status_code == 200
    assert ingress.get("/api/v2/static/ninja/swagger-ui-bundle.js").status_code == 200
    assert (
        ingress.get(
            "/api/v1/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
        ).status_code
        == 200
    )
    assert ingress.get("/api/v1/schema/").status_code == 200
    assert ingress.get("/api/v2/openapi.json").json()["info"]["title"] == "Fashionistar API v2"


def test_each_service_exposes_metrics_on_its_own_port(stack, ingress):
    ingress.get("/api/v1/healthz")
    ingress.get("/api/v2/healthz")
    v1 = httpx.get(f"http://127.0.0.1:{stack.ports.sync}/metrics").text
    v2 = httpx.get(f"http://127.0.0.1:{stack.ports.async_}/metrics").text
    assert 'route="/api/v1/healthz",service="sync",status="200"' in v1
    assert 'route="/api/v2/healthz",service="async",status="200"' in v2


def test_a_task_is_enqueued_and_completed_by_the_real_worker(stack, e2e_env):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "manage.py"),
            "worker_ping",
            "--timeout",
            "30",
            "--message",
            "e2e",
        ],
        env={**e2e_env, "DJANGO_SETTINGS_MODULE": "sync_service.settings"},
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == "SUCCESSFUL"
    assert outcome["return_value"]["message"] == "e2e"
    assert outcome["worker_ids"]
    metrics = httpx.get(f"http://127.0.0.1:{stack.ports.worker}/metrics").text
    assert (
        'fashionistar_tasks_succeeded_total{queue="default",task="shared_domain.common.tasks.ping"}'
        in metrics
    )


@pytest.mark.parametrize(
    "path", ["/api/v1/healthz", "/api/v2/healthz", "/api/v2/docs", "/api/v1/docs/"]
)
def test_security_headers_on_both_services(ingress, path):
    headers = ingress.get(path).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/api/v1/healthz", "/api/v2/healthz", "/api/v2/products/search"])
def test_head_works_through_the_real_servers(ingress, path):
    response = ingress.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["x-request-id"]


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v2/auth/login"])
def test_cors_preflight_is_answered_by_both_servers(ingress, path):
    response = ingress.options(
        path,
        headers={"Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200  # no origin is allowed by default: no CORS headers
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["x-request-id"]
