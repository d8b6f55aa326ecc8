"""Request id, access log, metrics and body limits: the middleware every v1 request crosses."""

import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_request_id_is_generated_when_absent(client):
    response = client.get("/api/v1/healthz")
    assert len(response["X-Request-ID"]) == 32


def test_valid_request_id_is_echoed(client):
    response = client.get("/api/v1/healthz", headers={"X-Request-ID": "trace-42"})
    assert response["X-Request-ID"] == "trace-42"


def test_unsafe_request_id_is_replaced(client):
    response = client.get("/api/v1/healthz", headers={"X-Request-ID": "bad id\u00e9"})
    assert response["X-Request-ID"] != "bad id\u00e9"
    assert len(response["X-Request-ID"]) == 32


def test_error_responses_carry_the_request_id_too(client):
    response = client.get("/api/v1/missing", headers={"X-Request-ID": "trace-404"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404"


def test_one_access_log_line_per_request(client, caplog):
    caplog.set_level(logging.DEBUG, logger="fashionistar.access")
    client.get("/api/v1/healthz", headers={"X-Request-ID": "trace-log"})
    lines = [r for r in caplog.records if r.name == "fashionistar.access"]
    assert len(lines) == 1
    record = lines[0]
    assert (record.method, record.path, record.status) == ("GET", "/api/v1/healthz", 200)
    assert record.route == "/api/v1/healthz"
    assert record.duration_ms >= 0


def test_probes_log_at_debug_other_requests_at_info(client, caplog):
    caplog.set_level(logging.DEBUG, logger="fashionistar.access")
    client.get("/api/v1/healthz")
    client.get("/api/v1/readyz")
    client.get("/api/v1/categories")
    levels = {r.path: r.levelno for r in caplog.records if r.name == "fashionistar.access"}
    assert levels == {
        "/api/v1/healthz": logging.DEBUG,
        "/api/v1/readyz": logging.DEBUG,
        "/api/v1/categories": logging.INFO,
    }


def test_access_log_does_not_include_the_query_string(client, caplog):
    caplog.set_level(logging.DEBUG, logger="fashionistar.access")
    client.get("/api/v1/healthz?token=secret")
    record = next(r for r in caplog.records if r.name == "fashionistar.access")
    assert "secret" not in record.getMessage()
    assert record.path == "/api/v1/healthz"


def test_metrics_count_requests_by_route_and_status(client):
    client.get("/api/v1/healthz")
    client.get("/api/v1/no-such-route")
    text = client.get("/metrics").content.decode()
    assert 'route="/api/v1/healthz",service="test",status="200"' in text
    assert 'route="<unmatched>",service="test",status="404"' in text
    assert "fashionistar_http_request_duration_seconds_bucket" in text


def test_body_over_the_limit_is_refused_before_parsing(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    response = client.post(
        "/probe/v1/echo", data=json.dumps({"name": "x" * 2000}), content_type="application/json"
    )
    assert response.status_code == 413
    body = response.json()
    assert body["error"]["code"] == "payload_too_large"
    assert body["error"]["details"] == {"max_bytes": 1024}


def test_non_numeric_content_length_is_a_400(client):
    response = client.generic(
        "POST", "/probe/v1/echo", b"{}", CONTENT_LENGTH="lots", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
