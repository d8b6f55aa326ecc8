"""Every v2 failure has the same body as v1."""

import json

import pytest

from tests.bad_json import DEEP_BODIES, DEEP_OBJECT

pytestmark = pytest.mark.django_db(transaction=True)


async def _post(client, raw, content_type="application/json"):
    body = raw if isinstance(raw, str | bytes) else json.dumps(raw)
    return await client.post("/probe/v2/echo", data=body, content_type=content_type)


def _error(response):
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


async def test_unknown_route_is_a_json_404(async_client):
    response = await async_client.get("/api/v2/does-not-exist")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


async def test_wrong_method_is_a_json_405_with_allow(async_client):
    response = await async_client.post("/api/v2/healthz")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("raw", ["{bad", '{"name": "x", "quantity": NaN}', b"\xff\xfe", "[1,"])
async def test_malformed_json_is_a_400(async_client, raw):
    response = await _post(async_client, raw)
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_json"


async def test_validation_errors_map_fields_to_messages(async_client):
    response = await _post(async_client, {"name": "x" * 30, "quantity": -1})
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    assert set(error["details"]) == {"name", "quantity"}


async def test_missing_fields_are_named(async_client):
    response = await _post(async_client, {})
    assert response.status_code == 400
    assert set(_error(response)["details"]) == {"name", "quantity"}


async def test_non_json_media_type_is_a_415(async_client):
    response = await _post(
        async_client, "name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


async def test_domain_errors_render_like_v1(async_client):
    response = await _post(async_client, {"name": "conflict", "quantity": 1})
    assert response.status_code == 409
    assert _error(response) == {
        "code": "conflict",
        "message": "Probe conflict.",
        "details": {"name": "conflict"},
    }


async def test_throttled_sets_retry_after(async_client):
    response = await _post(async_client, {"name": "throttle", "quantity": 1})
    assert response.status_code == 429
    assert response["Retry-After"] == "7"


async def test_oversized_body_is_a_413(async_client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    response = await _post(async_client, {"name": "x" * 5000, "quantity": 1})
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


async def test_crash_is_a_clean_500(async_client):
    async_client.raise_request_exception = False
    response = await _post(async_client, {"name": "crash", "quantity": 1})
    assert response.status_code == 500
    assert _error(response)["code"] == "internal_error"
    assert "secret internals" not in response.content.decode()


@pytest.mark.parametrize("raw", DEEP_BODIES)
async def test_deeply_nested_json_is_a_400(async_client, raw):
    response = await _post(async_client, raw)
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "validation_error"
    assert "nested" in error["message"]


LONE_SURROGATES = [
    '{"\\ud800": 1}',
    '{"name": "\\udfff", "quantity": 1}',
    '{"name": "x", "quantity": 1, "extra": ["ok", "\\ud83d"]}',
]


@pytest.mark.parametrize("raw", LONE_SURROGATES)
async def test_lone_surrogates_are_a_400(async_client, raw):
    response = await _post(async_client, raw)
    assert response.status_code == 400
    assert _error(response)["code"] == "validation_error"
    response.content.decode("utf-8")


@pytest.mark.parametrize("path", ["/api/v2/auth/login", "/api/v2/auth/refresh"])
@pytest.mark.parametrize("raw", [LONE_SURROGATES[0], DEEP_OBJECT])
async def test_real_endpoints_refuse_lone_surrogates_and_deep_nesting(async_client, path, raw):
    response = await async_client.post(path, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "validation_error"


async def test_a_token_expiring_in_the_far_future_is_a_401(async_client):
    from tests.integration.api_v1.test_errors import far_future_token

    response = await async_client.get(
        "/api/v2/me", headers={"Authorization": f"Bearer {far_future_token()}"}
    )
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_token"
