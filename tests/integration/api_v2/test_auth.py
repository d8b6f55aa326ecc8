"""v2 sign-in, refresh and /me: same tokens, same errors as v1."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from shared_domain.accounts import tokens
from tests.factories import PASSWORD, CustomerFactory, VendorFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def post(client, path, body):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return await client.post(path, data=raw, content_type="application/json")


def error(response):
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


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


async def test_anonymous_v2_requests_are_rate_limited(async_client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/hour"}
    statuses = [(await async_client.get("/api/v2/me")).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert (await async_client.get("/api/v2/healthz")).status_code == 200
