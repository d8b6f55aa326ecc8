"""v2 sign-in, refresh and /me: same tokens, same errors as v1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared_domain.accounts import tokens
from tests.factories import PASSWORD, CustomerFactory, VendorFactory
from tests.http import apost as post
from tests.http import bearer, error

pytestmark = pytest.mark.django_db(transaction=True)


async def _login(async_client, user):
    response = await post(
        async_client, "/api/v2/auth/login", {"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()


async def test_login_returns_the_spec_shape(async_client):
    user = await _user()
    body = await _login(async_client, user)
    assert body["user"] == {"id": user.pk, "email": user.email, "role": "customer"}
    me = await async_client.get("/api/v2/me", headers=bearer(body["access"]))
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["customer_profile"] == {"phone": ""}


async def _user(factory=CustomerFactory, **kwargs):
    from asgiref.sync import sync_to_async

    return await sync_to_async(factory.create)(**kwargs)


async def test_bad_credentials_are_401_like_v1(async_client):
    user = await _user()
    wrong = await post(
        async_client, "/api/v2/auth/login", {"email": user.email, "password": "nope-nope-1"}
    )
    unknown = await post(
        async_client, "/api/v2/auth/login", {"email": "x@example.com", "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert error(wrong) == error(unknown)
    assert error(wrong)["code"] == "invalid_credentials"


async def test_tokens_work_across_v1_and_v2(async_client, client):
    from asgiref.sync import sync_to_async

    user = await _user(VendorFactory)
    v1 = await sync_to_async(client.post)(
        "/api/v1/auth/login",
        data={"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    v1_access = v1.json()["access"]
    me = await async_client.get("/api/v2/me", headers=bearer(v1_access))
    assert me.status_code == 200
    assert me.json()["vendor_profile"]["slug"] == f"store-{user.pk}"
    v2 = await _login(async_client, user)
    back = await sync_to_async(client.get)("/api/v1/me", headers=bearer(v2["access"]))
    assert back.json()["id"] == user.pk


async def test_refresh_rotates_and_replay_is_refused(async_client):
    pair = await _login(async_client, await _user())
    fresh = await post(async_client, "/api/v2/auth/refresh", {"refresh": pair["refresh"]})
    assert fresh.status_code == 200
    replay = await post(async_client, "/api/v2/auth/refresh", {"refresh": pair["refresh"]})
    assert replay.status_code == 401
    assert error(replay)["code"] == "token_revoked"


async def test_me_errors(async_client):
    missing = await async_client.get("/api/v2/me")
    assert missing.status_code == 401
    assert error(missing)["code"] == "not_authenticated"
    assert missing["WWW-Authenticate"] == 'Bearer realm="api"'
    expired, _ = tokens.encode(
        user_id=1, token_type="access", version=1, lifetime=timedelta(minutes=-1)
    )
    assert (
        error(await async_client.get("/api/v2/me", headers=bearer(expired)))["code"]
        == "token_expired"
    )
    assert (
        error(await async_client.get("/api/v2/me", headers=bearer("x.y.z")))["code"]
        == "invalid_token"
    )
    pair = await _login(async_client, await _user())
    as_access = await async_client.get("/api/v2/me", headers=bearer(pair["refresh"]))
    assert error(as_access)["code"] == "invalid_token"


async def test_login_validation_and_unknown_fields(async_client):
    missing = await post(async_client, "/api/v2/auth/login", {"email": "a@b.co"})
    assert missing.status_code == 400
    assert error(missing)["details"] == {"password": ["Field required"]}
    extra = await post(
        async_client, "/api/v2/auth/login", {"email": "a@b.co", "password": "x", "role": "staff"}
    )
    assert extra.status_code == 400
    assert "role" in error(extra)["details"]
    wrong_type = await post(async_client, "/api/v2/auth/login", {"email": ["a"], "password": 5})
    assert set(error(wrong_type)["details"]) == {"email", "password"}


async def test_login_is_throttled_per_email_and_ip(async_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "2/minute"}
    body = {"email": "ghost@example.com", "password": "whatever"}
    statuses = [
        (await post(async_client, "/api/v2/auth/login", body)).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 429]


async def test_login_is_limited_per_account_across_addresses(async_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_account": "2/hour"}
    body = {"email": "Ghost@example.com", "password": "whatever"}
    statuses = [
        (
            await post(
                async_client, "/api/v2/auth/login", body, {"X-Forwarded-For": f"203.0.113.{n}"}
            )
        ).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]
    # One bucket per account on both APIs (v1 counts in it too).
    from asgiref.sync import sync_to_async
    from django.test import Client

    v1 = await sync_to_async(Client().post)(
        "/api/v1/auth/login",
        data={"email": "ghost@example.com", "password": "x"},
        content_type="application/json",
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert v1.status_code == 429


async def test_anonymous_v2_requests_are_rate_limited(async_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/hour"}
    statuses = [(await async_client.get("/api/v2/me")).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert (await async_client.get("/api/v2/healthz")).status_code == 200


# ---------------------------------------------------------------------- NUL characters
NUL_MESSAGE = "Null characters are not allowed."


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v2/auth/login", {"email": "a\u0000@x.co", "password": "x"}, "email"),
        ("/api/v2/auth/login", {"email": "a@x.co", "password": "pass\u0000word"}, "password"),
        ("/api/v2/auth/refresh", {"refresh": "abc\u0000"}, "refresh"),
        ("/api/v2/auth/login", {"email": "a@x.co", "password": "x", "k\u0000": 1}, "k\u0000"),
        (
            "/api/v2/auth/login",
            {"email": "a@x.co", "password": {"a": ["ok", "\u0000"]}},
            "password.a.1",
        ),
        ("/probe/v2/echo", {"name": "x", "quantity": 1, "tags": [{"t": "\u0000"}]}, "tags.0.t"),
    ],
)
async def test_nul_in_any_json_string_is_a_400_validation_error(async_client, path, body, field):
    response = await post(async_client, path, body)
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_error"
    assert err["details"] == {field: [NUL_MESSAGE]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/products/search?q=%00",
        "/api/v2/products/search?brand=ada%00",
        "/api/v2/me?email=%00",
        "/api/v2/tasks/%00",
    ],
)
async def test_nul_in_the_query_string_or_path_is_a_400(async_client, path):
    response = await async_client.get(path)
    assert response.status_code == 400
    assert error(response)["code"] == "validation_error"


# ---------------------------------------------------------------------- /me and refresh errors
async def test_me_shows_the_token_owner_and_nobody_else(async_client):
    ada, bola = await _user(full_name="Ada"), await _user(VendorFactory, full_name="Bola")
    seen = {}
    for user in (ada, bola):
        access = (await _login(async_client, user))["access"]
        body = (await async_client.get("/api/v2/me", headers=bearer(access))).json()
        seen[user.pk] = (body["id"], body["email"], body["full_name"])
    assert seen == {ada.pk: (ada.pk, ada.email, "Ada"), bola.pk: (bola.pk, bola.email, "Bola")}


def test_me_loads_the_user_and_profiles_in_one_query(client, queries):
    user = VendorFactory.create()
    access = login_v2(client, user)["access"]
    queries.clear()
    body = client.get("/api/v2/me", headers=bearer(access)).json()
    # Counted on every connection: the lookup runs on a pool thread of its own.
    assert len(queries) == 1, queries
    assert body["id"] == user.pk
    assert body["customer_profile"] is None
    assert body["vendor_profile"]["store_name"]


def login_v2(client, user):
    response = client.post(
        "/api/v2/auth/login",
        data={"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


EXPIRED_REFRESH = tokens.encode(
    user_id=1, token_type="refresh", version=1, lifetime=timedelta(minutes=-5)
)[0]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "validation_error"),
        ({"refresh": 5}, 400, "validation_error"),
        ({"refresh": "garbage"}, 401, "invalid_token"),
        ({"refresh": EXPIRED_REFRESH}, 401, "token_expired"),
    ],
)
async def test_refresh_error_paths(async_client, body, status, code):
    response = await post(async_client, "/api/v2/auth/refresh", body)
    assert response.status_code == status
    assert error(response)["code"] == code


async def test_refresh_is_throttled_per_client(async_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "refresh": "1/minute"}
    body = {"refresh": "garbage"}
    assert (await post(async_client, "/api/v2/auth/refresh", body)).status_code == 401
    blocked = await post(async_client, "/api/v2/auth/refresh", body)
    assert blocked.status_code == 429
    assert (error(blocked)["code"], error(blocked)["details"]["scope"]) == ("throttled", "refresh")
    assert int(blocked["Retry-After"]) > 0


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer  "])
async def test_malformed_bearer_headers_are_401_on_both_apis(async_client, client, header):
    from asgiref.sync import sync_to_async

    v2 = await async_client.get("/api/v2/me", headers={"Authorization": header})
    v1 = await sync_to_async(client.get)("/api/v1/me", headers={"Authorization": header})
    assert v1.status_code == v2.status_code == 401
    assert error(v1) == error(v2)
    assert error(v2)["code"] == "invalid_token"


async def test_more_signed_in_requests_at_once_than_pooled_connections_all_succeed(
    base_url, monkeypatch
):
    """On the real ASGI server each request has a thread of its own for Django's async
    ORM, whose connection stays out until the request ends: slow signed-in requests
    beyond the pool's size then waited for a connection, and failed after its timeout.
    The sign-in lookup gives its connection back at once."""
    import asyncio
    import time

    import httpx
    from asgiref.sync import sync_to_async
    from django.conf import settings

    from shared_domain.orders import selectors

    real = selectors.order_page_for_customer

    def slow_page(**kwargs):
        time.sleep(0.3)  # a slow read, while the request is in flight
        return real(**kwargs)

    monkeypatch.setattr(selectors, "order_page_for_customer", slow_page)
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]
    user = await sync_to_async(CustomerFactory.create)()
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        login = await http.post(
            "/api/v2/auth/login", json={"email": user.email, "password": PASSWORD}
        )
        headers = bearer(login.json()["access"])
        started = time.monotonic()
        responses = await asyncio.gather(
            *(http.get("/api/v2/orders", headers=headers) for _ in range(3 * pool["max_size"]))
        )
        elapsed = time.monotonic() - started
    assert [r.status_code for r in responses] == [200] * (3 * pool["max_size"])
    assert elapsed < pool["timeout"]
