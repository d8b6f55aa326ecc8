"""Every v1 failure leaves as the SPEC error body, never an HTML page or a traceback."""

import json

import pytest

from tests.bad_json import DEEP_BODIES, DEEP_OBJECT

pytestmark = pytest.mark.django_db


def _post(client, body, content_type="application/json"):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/probe/v1/echo", data=raw, content_type=content_type)


def _error(response):
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_unknown_route_is_a_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/v1/healthz")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("raw", ["{bad", '{"name": "x", "quantity": NaN}', b"\xff\xfe", "[1,"])
def test_malformed_json_is_a_400(client, raw):
    response = _post(client, raw)
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "malformed_json"


def test_validation_errors_map_fields_to_messages(client):
    response = _post(client, {"name": "x" * 30, "quantity": -1, "tags": [1, {"a": 1}]})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    assert set(error["details"]) >= {"name", "quantity"}
    assert all(isinstance(m, str) for msgs in error["details"].values() for m in msgs)


def test_wrong_types_are_validation_errors(client):
    response = _post(client, {"name": ["list"], "quantity": "many"})
    assert response.status_code == 400
    assert set(_error(response)["details"]) == {"name", "quantity"}


def test_non_object_body_is_a_validation_error(client):
    response = _post(client, [1, 2, 3])
    assert response.status_code == 400
    assert _error(response)["code"] == "validation_error"


def test_form_bodies_are_unsupported_media_type(client):
    response = client.post("/probe/v1/echo", data={"name": "x"})
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_domain_errors_keep_their_code_status_and_details(client):
    response = _post(client, {"name": "conflict", "quantity": 1})
    assert response.status_code == 409
    assert _error(response) == {
        "code": "conflict",
        "message": "Probe conflict.",
        "details": {"name": "conflict"},
    }


def test_throttled_domain_error_sets_retry_after(client):
    response = _post(client, {"name": "throttle", "quantity": 1})
    assert response.status_code == 429
    assert response["Retry-After"] == "7"


def test_crash_is_a_clean_500_without_internals(client, caplog):
    client.raise_request_exception = False
    response = _post(client, {"name": "crash", "quantity": 1})
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "internal_error"
    assert "secret internals" not in response.content.decode()
    assert any("secret internals" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_html_and_sql_in_text_are_returned_as_inert_json(client):
    name = "<script>'; DROP"
    response = _post(client, {"name": name, "quantity": 2})
    assert response.status_code == 201
    assert response.json()["name"] == name
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("raw", DEEP_BODIES)
def test_deeply_nested_json_is_a_400(client, raw):
    response = _post(client, raw)
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    assert "nested" in error["message"]


LONE_SURROGATES = [
    '{"\\ud800": 1}',
    '{"name": "\\udfff", "quantity": 1}',
    '{"name": "x", "quantity": 1, "tags": ["ok", "\\ud83d"]}',
]


@pytest.mark.parametrize("raw", LONE_SURROGATES)
def test_lone_surrogates_are_a_400_naming_the_field(client, raw):
    response = _post(client, raw)
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    response.content.decode("utf-8")  # the echoed field name is valid UTF-8


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/auth/refresh",
        "/api/v1/auth/password-reset",
    ],
)
@pytest.mark.parametrize("raw", [LONE_SURROGATES[0], DEEP_OBJECT])
def test_real_endpoints_refuse_lone_surrogates_and_deep_nesting(client, path, raw):
    response = _post_to(client, path, raw)
    assert response.status_code == 400
    assert _error(response)["code"] == "validation_error"


def _post_to(client, path, raw):
    return client.post(path, data=raw, content_type="application/json")


def test_valid_surrogate_pairs_are_kept(client):
    response = _post(client, '{"name": "\\ud83d\\udc57", "quantity": 1}')
    assert response.status_code == 201
    assert response.json()["name"] == "\U0001f457"


def test_a_token_expiring_in_the_far_future_is_a_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {far_future_token()}"})
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_token"


def far_future_token():
    import jwt
    from django.conf import settings

    payload = {
        "iss": "fashionistar",
        "sub": "1",
        "typ": "access",
        "jti": "x",
        "iat": 1_700_000_000,
        "exp": 1e20,
        "ver": 0,
    }
    return jwt.encode(payload, settings.JWT_SIGNING_KEY, algorithm="HS256")
