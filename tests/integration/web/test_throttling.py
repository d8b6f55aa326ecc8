"""The default rate limits applied by the throttling middleware (anonymous per IP,
per user, the admin's login form, Redis outages) and the bearer token it shares with
authentication."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_domain.accounts import tokens
from shared_domain.common.redis import reset_clients
from shared_domain.web.throttling import LIMITER_ERRORS
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


def test_with_redis_down_requests_pass_and_limits_are_counted_in_process_memory(client, settings):
    user = CustomerFactory.create()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "2/minute"}
    reset_clients()
    errors_before = LIMITER_ERRORS._value.get()
    try:
        assert login(client, user)["access"]
        wrong = {"email": user.email, "password": "not-the-password"}
        statuses = [post(client, "/api/v1/auth/login", wrong).status_code for _ in range(2)]
        assert statuses == [401, 429]
        assert LIMITER_ERRORS._value.get() > errors_before
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


# ---------------------------------------------------------------- browsing vs signing in
def _rates(settings, **rates):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **rates}


@pytest.mark.django_db(transaction=True)
def test_catalog_browsing_never_blocks_signing_in_or_registering(client, settings):
    _rates(settings, anon="2/hour", catalog="1000/minute")
    user = CustomerFactory.create()
    for path in ("/api/v1/products", "/api/v1/categories", "/api/v2/products/search"):
        assert [client.get(path).status_code for _ in range(5)] == [200] * 5
    assert login(client, user)["access"]
    response = post(client, "/api/v2/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    body = {"email": "new@example.com", "password": "a-strong-passphrase", "full_name": "N"}
    assert post(client, "/api/v1/auth/register", {**body, "role": "customer"}).status_code == 201


def test_catalog_reads_have_their_own_per_ip_burst(client, settings):
    _rates(settings, anon="100/hour", catalog="3/minute")
    statuses = [client.get("/api/v1/products").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    blocked = client.get("/api/v1/products")
    assert error(blocked)["details"]["scope"] == "catalog"
    assert int(blocked["Retry-After"]) <= 60
    # Other visitors, and other anonymous requests of this one, are unaffected.
    assert client.get("/api/v1/products", headers=_from("203.0.113.9")).status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_sign_in_endpoints_are_not_counted_by_the_anonymous_limit(client, settings):
    _rates(settings, anon="1/hour")
    body = {"email": "ghost@example.com", "password": "x"}
    assert [post(client, "/api/v1/auth/login", body).status_code for _ in range(3)] == [401] * 3


# ---------------------------------------------------------------- account lockout
def _login_status(client, path, email, password, ip):
    return post(client, path, {"email": email, "password": password}, **_from(ip)).status_code


OWNER_IP = "198.51.100.10"
ATTACKER_IPS = [f"203.0.113.{n}" for n in range(1, 9)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v2/auth/login"])
def test_an_attacker_on_other_ips_cannot_lock_the_owner_out(client, settings, path):
    from shared_domain.common.models import AuditLog
    from shared_domain.web.throttles import ACCOUNT_THROTTLED

    _rates(settings, login="5/minute", login_account="4/hour")
    owner = CustomerFactory.create()
    assert _login_status(client, path, owner.email, PASSWORD, OWNER_IP) == 200
    refused_before = ACCOUNT_THROTTLED._value.get()

    statuses = [_login_status(client, path, owner.email, "guess", ip) for ip in ATTACKER_IPS]
    # Every attempt counts, the owner's too: 3 more, then the limit.
    assert statuses[:3] == [401] * 3
    assert set(statuses[3:]) == {429}  # the account's limit, spread over many IPs
    # Even with the right password, a new address is refused now...
    assert _login_status(client, path, owner.email, PASSWORD, "203.0.113.99") == 429
    # ...but the owner, from the address they signed in from before, is not.
    assert _login_status(client, path, owner.email, PASSWORD, OWNER_IP) == 200
    assert _login_status(client, path, owner.email, PASSWORD, OWNER_IP) == 200

    # Staff see it: one audit entry per window, and a metric per refusal.
    entries = AuditLog.objects.filter(action="login_account_throttled")
    assert [entry.data["email"] for entry in entries] == [owner.email]
    assert ACCOUNT_THROTTLED._value.get() - refused_before == 6


@pytest.mark.django_db(transaction=True)
def test_an_attacker_on_other_ips_cannot_lock_the_owner_out_of_the_admin(client, settings):
    _rates(settings, login="2/minute", login_account="3/hour")
    staff = CustomerFactory.create(is_staff=True, is_superuser=True)
    assert _admin_login(client, staff.email, PASSWORD, **_from(OWNER_IP)).status_code == 302
    statuses = [_admin_login(client, staff.email, **_from(ip)).status_code for ip in ATTACKER_IPS]
    assert statuses[:2] == [200] * 2  # the form again, with an error
    assert set(statuses[2:]) == {429}
    other = Client()
    assert _admin_login(other, staff.email, PASSWORD, **_from("203.0.113.99")).status_code == 429
    owner = Client()
    assert _admin_login(owner, staff.email, PASSWORD, **_from(OWNER_IP)).status_code == 302


def test_one_address_trying_many_accounts_is_limited(client, settings):
    _rates(settings, login_client="3/minute")
    statuses = [
        _login_status(client, "/api/v1/auth/login", f"user{n}@example.com", "x", "203.0.113.7")
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert _login_status(client, "/api/v2/auth/login", "z@example.com", "x", "203.0.113.7") == 429
    assert _login_status(client, "/api/v1/auth/login", "z@example.com", "x", "203.0.113.8") == 401


# ---------------------------------------------------------------- switching limits off
def test_throttle_enabled_false_switches_every_limit_off(client, settings):
    settings.THROTTLE_ENABLED = False
    one = "1/hour"
    _rates(
        settings,
        anon=one,
        catalog=one,
        login=one,
        login_client=one,
        login_account=one,
        code=one,
        resend=one,
        password_reset=one,
        refresh=one,
        register=one,
    )
    ghost = {"email": "ghost@example.com"}
    for _ in range(3):
        assert client.get("/api/v1/products").status_code == 200
        assert client.get("/api/v1/me").status_code == 401
        assert post(client, "/api/v1/auth/login", {**ghost, "password": "x"}).status_code == 401
        assert post(client, "/api/v2/auth/login", {**ghost, "password": "x"}).status_code == 401
        code = {**ghost, "code": "000000"}
        assert post(client, "/api/v1/auth/verify-email", code).status_code == 400
        assert post(client, "/api/v1/auth/resend-code", ghost).status_code == 200
        assert post(client, "/api/v1/auth/password-reset", ghost).status_code == 200
        assert post(client, "/api/v1/auth/refresh", {"refresh": "x.y.z"}).status_code == 401
        assert post(client, "/api/v2/auth/refresh", {"refresh": "x.y.z"}).status_code == 401
        assert _admin_login(client, "ghost@example.com").status_code == 200


# ---------------------------------------------------------------- X-Forwarded-For
def _spoofed(n):
    return f"198.51.100.{n}"


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded"),
    [
        # the setting right: one proxy that appends the address it saw
        (1, "127.0.0.1", lambda n: f"{_spoofed(n)}, 203.0.113.77"),
        # the setting wrong, too many proxies counted
        (2, "127.0.0.1", lambda n: f"{_spoofed(n)}, 203.0.113.77"),
        (3, "127.0.0.1", lambda n: f"10.0.0.{n}, {_spoofed(n)}, 203.0.113.77"),
        # the setting wrong, no proxy in front at all
        (1, "203.0.113.77", _spoofed),
    ],
)
def test_spoofed_forwarded_for_gives_no_fresh_buckets(settings, trusted, peer, forwarded):
    settings.TRUSTED_PROXY_COUNT = trusted
    _rates(settings, anon="3/hour", login_client="3/minute")
    attacker = Client(REMOTE_ADDR=peer)
    statuses = [
        attacker.get("/api/v1/me", headers={"X-Forwarded-For": forwarded(n)}).status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]
    logins = [
        post(
            attacker,
            "/api/v1/auth/login",
            {"email": f"u{n}@example.com", "password": "x"},
            **{"X-Forwarded-For": forwarded(n)},
        ).status_code
        for n in range(5)
    ]
    assert logins == [401, 401, 401, 429, 429]
