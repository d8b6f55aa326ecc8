"""HTTP conventions both APIs share: HEAD wherever GET works, no caching of
authenticated or token responses, and CORS for browser front ends on other origins."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from tests.factories import CustomerFactory
from tests.http import bearer, login, post

pytestmark = pytest.mark.django_db(transaction=True)


# ---------------------------------------------------------------- HEAD
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/healthz",
        "/api/v1/products",
        "/api/v1/categories",
        "/api/v1/schema/",
        "/api/v2/healthz",
        "/api/v2/products/search",
        "/api/v2/openapi.json",
    ],
)
def test_head_answers_like_get_without_a_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert head["X-Request-ID"]


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v2/me"])
def test_head_of_an_authenticated_resource(client, path):
    access = login(client, CustomerFactory.create())["access"]
    assert client.head(path, headers=bearer(access)).status_code == 200
    assert client.head(path).status_code == 401


def test_head_is_not_allowed_where_get_is_not(client):
    response = client.head("/api/v2/auth/login")
    assert response.status_code == 405


# ---------------------------------------------------------------- Cache-Control
@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v2/auth/login"])
def test_token_responses_are_not_stored(client, path):
    user = CustomerFactory.create()
    response = post(client, path, {"email": user.email, "password": "Correct-Horse-9-Battery"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    refreshed = post(
        client, path.replace("login", "refresh"), {"refresh": response.json()["refresh"]}
    )
    assert refreshed.status_code == 200
    assert "no-store" in refreshed["Cache-Control"]


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v2/me", "/api/v1/products"])
def test_authenticated_responses_are_not_stored(client, path):
    access = login(client, CustomerFactory.create())["access"]
    response = client.get(path, headers=bearer(access))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_catalogue_reads_stay_cacheable(client):
    response = client.get("/api/v1/products")
    assert "no-store" not in response.get("Cache-Control", "")


# ---------------------------------------------------------------- CORS
FRONT_END = "https://shop.example.com"


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]
    return settings


def _preflight(client, path, origin=FRONT_END, method="POST"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v2/auth/login", "/api/v2/orders"])
def test_preflight_from_an_allowed_origin(client, cors, path):
    response = _preflight(client, path)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {
        h.strip() for h in allowed.split(",")
    }
    assert "Access-Control-Allow-Credentials" not in response  # off by default
    assert response["X-Request-ID"]


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v2/auth/login"])
def test_preflight_from_another_origin_is_not_allowed(client, cors, path):
    response = _preflight(client, path, origin="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v2/products/search"])
def test_actual_requests_expose_the_request_id(client, cors, path):
    response = client.get(path, headers={"Origin": FRONT_END})
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    exposed = response["Access-Control-Expose-Headers"].lower()
    assert "x-request-id" in exposed
    assert "retry-after" in exposed
    assert "origin" in response["Vary"].lower()


def test_credentials_can_be_allowed(client, cors):
    cors.CORS_ALLOW_CREDENTIALS = True
    response = _preflight(client, "/api/v1/auth/login")
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_no_origin_is_allowed_by_default(client):
    response = _preflight(client, "/api/v1/auth/login", origin="https://shop.example.com")
    assert "Access-Control-Allow-Origin" not in response


def _refused(client, kind, path, origin):
    if kind == "too_large":
        return client.post(
            path,
            data=b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1),
            content_type="application/json",
            headers={"Origin": origin},
        )
    return client.get(f"{path}?q=%00", headers={"Origin": origin})


@pytest.mark.parametrize(("kind", "status"), [("too_large", 413), ("nul_in_url", 400)])
@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v2/auth/login"])
async def test_refusals_before_any_view_carry_cors_headers_for_allowed_origins(
    client, async_client, cors, kind, status, path
):
    # v2 runs its middlewares on the event loop: send it through the ASGI client.
    if path.startswith("/api/v2"):
        response = await _refused(async_client, kind, path, FRONT_END)
    else:
        response = await sync_to_async(_refused)(client, kind, path, FRONT_END)
    assert response.status_code == status
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    assert "x-request-id" in response["Access-Control-Expose-Headers"].lower()
    assert response["X-Request-ID"]
    other = await sync_to_async(_refused)(client, kind, path, "https://evil.example.net")
    assert other.status_code == status
    assert "Access-Control-Allow-Origin" not in other
