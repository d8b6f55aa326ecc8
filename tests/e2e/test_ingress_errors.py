"""Errors the ingress answers itself, or rewrites from the app servers' own error
pages, carry the JSON error body and X-Request-ID like every API error."""

from __future__ import annotations

import signal
import time

import httpx
import pytest

pytestmark = pytest.mark.e2e

SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")


def _json_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert response.headers["x-request-id"]
    for name in SECURITY_HEADERS:
        assert name in response.headers


@pytest.mark.parametrize("path", ["/", "/favicon.ico", "/robots.txt"])
def test_paths_outside_the_apis_get_the_json_404_with_a_request_id(ingress, path):
    response = ingress.get(path, headers={"X-Request-ID": "trace-404"})
    _json_error(response, 404, "not_found")
    assert response.headers["x-request-id"] == "trace-404"


def test_a_request_id_the_apis_would_not_echo_is_replaced(ingress):
    response = ingress.get("/", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_an_overlong_url_is_refused_at_the_ingress(ingress, prefix):
    response = ingress.get(f"{prefix}/products", params={"q": "a" * 9000})
    _json_error(response, 414, "uri_too_long")


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_an_unknown_method_is_refused_at_the_ingress(ingress, prefix):
    response = ingress.request("PROPFIND", f"{prefix}/healthz")
    _json_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_an_app_servers_own_error_page_becomes_the_json_body(ingress):
    # One header field over gunicorn's per-field limit (8190 bytes) but within the
    # ingress's total: gunicorn answers with its HTML 431 page.
    response = ingress.get("/api/v1/healthz", headers={"X-Padding": "a" * 9000})
    _json_error(response, 431, "header_fields_too_large")


def test_a_stuck_upstream_fails_fast_with_a_json_error(stack, ingress):
    async_server = next(p for p in stack.processes if p.name.startswith("async"))
    async_server.signal(signal.SIGSTOP, group=True)
    try:
        started = time.monotonic()
        response = ingress.get("/api/v2/healthz", timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code in (503, 504)
        _json_error(response, response.status_code, response.json()["error"]["code"])
        assert elapsed < 8, elapsed
        # Once the health check has left the instance out, the answer is immediate-ish.
        started = time.monotonic()
        response = ingress.get("/api/v2/healthz", timeout=30)
        _json_error(response, 503, "service_unavailable")
        assert response.headers["retry-after"]
        assert time.monotonic() - started < 4
    finally:
        async_server.signal(signal.SIGCONT, group=True)
    deadline = time.monotonic() + 15
    while ingress.get("/api/v2/healthz").status_code != 200:
        assert time.monotonic() < deadline, "v2 did not come back behind the ingress"
        time.sleep(0.2)
