"""The default rate limits applied by the throttling middleware (anonymous per IP,
per user, the admin's login form, Redis outages) and the bearer token it shares with
authentication."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_domain.accounts import tokens
from shared_domain.common.redis import reset_clients
from tests.factories import PASSWORD, CustomerFactory
from tests.http import bearer, error, login, post

pytestmark = pytest.mark.django_db


def _from(ip):
    return {"X-Forwarded-For": ip}


def test_login_keys_are_the_same_without_a_client_address(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "1/minute"}
    settings.TRUSTED_PROXY_COUNT = 0
    body = {"email": "ghost@example.com", "password": "x"}
    no_address = Client(REMOTE_ADDR="")
    assert post(no_address, "/api/v1/auth/login", body).status_code == 401
    # v2 counts in the same bucket.
    assert post(no_address, "/api/v2/auth/login", body).status_code == 429


WRONG_PASSWORD = "wrong-password"


def _admin_login(client, username, password=WRONG_PASSWORD, **headers):
    return client.post(
        "/api/v1/admin/login/?next=/api/v1/admin/",
        data={"username": username, "password": password},
        headers=headers,
    )


def test_admin_login_is_limited_per_username_and_ip(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "2/minute"}
    staff = CustomerFactory.create(is_staff=True)
    assert [_admin_login(client, staff.email).status_code for _ in range(3)] == [200, 200, 429]
    blocked = _admin_login(client, staff.email, PASSWORD)
    assert blocked.status_code == 429
    assert error(blocked)["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    # Another username, or the same one from elsewhere, is another bucket.
    assert _admin_login(client, "other@example.com").status_code == 200
    assert _admin_login(client, staff.email, PASSWORD, **_from("203.0.113.5")).status_code == 302


def test_admin_login_counts_against_the_account_bucket(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_account": "2/hour"}
    user = CustomerFactory.create(is_staff=True)
    _admin_login(client, user.email, **_from("203.0.113.1"))
    post(
        client,
        "/api/v1/auth/login",
        {"email": user.email, "password": "x"},
        **_from("203.0.113.2"),
    )
    assert _admin_login(client, user.email, **_from("203.0.113.3")).status_code == 429


def test_admin_pages_and_assets_are_not_limited(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "1/hour", "login": "1/hour"}
    for _ in range(3):
        assert client.get("/api/v1/admin/login/").status_code == 200
        assert client.get("/api/v1/admin/jsi18n/").status_code != 429
        assert client.get("/api/v1/static/admin/css/base.css").status_code == 200


def test_anonymous_requests_are_limited_per_ip(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "3/hour"}
    statuses = [client.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert client.get("/api/v1/healthz").status_code == 200  # probes are never throttled


def test_signed_in_users_have_their_own_bucket(client, settings):
    access = login(client, CustomerFactory.create())["access"]
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "1/hour", "user": "3/hour"}
    assert [client.get("/api/v1/me", headers=bearer(access)).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]


def test_throttling_fails_open_when_redis_is_down(client, settings):
    user = CustomerFactory.create()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    reset_clients()
    try:
        assert login(client, user)["access"]
    finally:
        reset_clients()


# v2 looks the user up on a connection of its own: the account must be committed.
@pytest.mark.django_db(transaction=True)
def test_the_access_token_is_decoded_once_per_request(client, monkeypatch):
    access = login(client, CustomerFactory.create())["access"]
    decoded = []
    real_decode = tokens.decode

    def counting_decode(*args, **kwargs):
        decoded.append(kwargs.get("expected_type"))
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(tokens, "decode", counting_decode)
    for path in ("/api/v1/me", "/api/v2/me"):
        assert client.get(path, headers=bearer(access)).status_code == 200
    assert decoded == ["access", "access"]  # one per request: throttling and auth share it


def test_the_admin_login_path_setting_is_the_admin_login_route(settings):
    from django.urls import reverse

    assert reverse("admin:login") == settings.ADMIN_LOGIN_PATH
