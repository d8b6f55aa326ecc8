"""v1 account endpoints: SPEC §8 steps 1-3, every error path, tokens, throttling."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shared_domain.accounts import services, tokens
from shared_domain.accounts.models import OneTimeCode, User
from shared_domain.common.redis import reset_clients
from tests.factories import PASSWORD, CustomerFactory, VendorFactory

pytestmark = pytest.mark.django_db


def post(client, path, body, **headers):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=raw, content_type="application/json", headers=headers)


def error(response):
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def login(client, user, password=PASSWORD):
    response = post(client, "/api/v1/auth/login", {"email": user.email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


REGISTER = {
    "email": "ada@example.com",
    "password": PASSWORD,
    "full_name": "Ada Obi",
    "role": "customer",
}


# ---------------------------------------------------------------------- register
def test_register_returns_the_spec_shape(client):
    response = post(client, "/api/v1/auth/register", REGISTER)
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "email": "ada@example.com",
        "role": "customer",
        "email_verified": False,
    }


def test_register_vendor_with_store_name(client):
    response = post(
        client, "/api/v1/auth/register", {**REGISTER, "role": "vendor", "store_name": "Ada Styles"}
    )
    assert response.status_code == 201
    assert User.objects.get(pk=response.json()["id"]).vendor_profile.slug == "ada-styles"


def test_duplicate_email_is_409_email_taken(client):
    post(client, "/api/v1/auth/register", REGISTER)
    response = post(client, "/api/v1/auth/register", {**REGISTER, "email": "ADA@example.com"})
    assert response.status_code == 409
    assert error(response)["code"] == "email_taken"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "abc"}, "password"),
        ({"email": "nope"}, "email"),
        ({"role": "staff"}, "role"),
        ({"role": "vendor"}, "store_name"),
        ({"full_name": ""}, "full_name"),
        ({"is_staff": True}, "is_staff"),
        ({"email": ["a@b.c"]}, "email"),
        ({"password": 12345678901}, "password"),
    ],
)
def test_bad_registrations_are_400_with_field_details_and_write_nothing(client, change, field):
    response = post(client, "/api/v1/auth/register", {**REGISTER, **change})
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_error"
    assert field in err["details"]
    assert not User.objects.exists()


def test_missing_fields_are_named(client):
    response = post(client, "/api/v1/auth/register", {})
    assert set(error(response)["details"]) == {"email", "password", "full_name", "role"}


def test_malformed_and_oversized_bodies(client, settings):
    assert error(post(client, "/api/v1/auth/register", "{not json"))["code"] == "malformed_json"
    huge = json.dumps({**REGISTER, "full_name": "x" * (10 * 1024 * 1024)})
    response = post(client, "/api/v1/auth/register", huge)
    assert response.status_code == 413
    assert not User.objects.exists()


def test_sql_and_html_in_names_are_stored_as_text(client):
    name = "Robert'); DROP TABLE accounts_user;-- <script>x</script>"
    response = post(client, "/api/v1/auth/register", {**REGISTER, "full_name": name})
    assert response.status_code == 201
    assert User.objects.get().full_name == name


# ---------------------------------------------------------------------- verify, resend
def _issue_code(user, purpose=OneTimeCode.Purpose.VERIFY_EMAIL):
    return services.one_time_code_issue(user=user, purpose=purpose)


def test_verify_email(client):
    user = CustomerFactory.create(email_verified=False)
    code = _issue_code(user)
    response = post(client, "/api/v1/auth/verify-email", {"email": user.email, "code": code})
    assert response.status_code == 200
    assert response.json()["email_verified"] is True


def test_wrong_code_is_400_invalid_code_and_too_many_is_429(client, settings):
    # The per-email limit also allows 5 a minute; lift it to see the code's own limit.
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "code": "100/minute"}
    user = CustomerFactory.create(email_verified=False)
    code = _issue_code(user)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(5):
        response = post(client, "/api/v1/auth/verify-email", {"email": user.email, "code": wrong})
        assert response.status_code == 400
        assert error(response)["code"] == "invalid_code"
    response = post(client, "/api/v1/auth/verify-email", {"email": user.email, "code": code})
    assert response.status_code == 429
    assert error(response)["code"] == "too_many_attempts"
    assert int(response["Retry-After"]) > 0


def test_expired_code_is_invalid(client):
    user = CustomerFactory.create(email_verified=False)
    code = _issue_code(user)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = post(client, "/api/v1/auth/verify-email", {"email": user.email, "code": code})
    assert error(response)["code"] == "invalid_code"


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", 123456])
def test_malformed_codes_are_validation_errors(client, code):
    response = post(client, "/api/v1/auth/verify-email", {"email": "a@b.co", "code": code})
    assert response.status_code == 400
    assert "code" in error(response)["details"]


def test_resend_answers_the_same_for_unknown_emails(client):
    known = post(
        client,
        "/api/v1/auth/resend-code",
        {"email": CustomerFactory.create(email_verified=False).email},
    )
    unknown = post(client, "/api/v1/auth/resend-code", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()


# ---------------------------------------------------------------------- login, refresh, logout
def test_login_returns_the_spec_shape(client):
    user = CustomerFactory.create()
    body = login(client, user)
    assert set(body) >= {"access", "refresh", "user"}
    assert body["user"] == {"id": user.pk, "email": user.email, "role": "customer"}


def test_unverified_users_can_log_in(client):
    assert login(client, CustomerFactory.create(email_verified=False))["access"]


def test_bad_credentials_are_one_401_whether_or_not_the_email_exists(client):
    user = CustomerFactory.create()
    wrong = post(client, "/api/v1/auth/login", {"email": user.email, "password": "Wrong-pass-1"})
    unknown = post(client, "/api/v1/auth/login", {"email": "ghost@example.com", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert error(wrong) == error(unknown)
    assert error(wrong)["code"] == "invalid_credentials"
    assert wrong["WWW-Authenticate"].startswith("Bearer")


def test_refresh_rotates_and_the_old_refresh_is_denied(client):
    tokens_ = login(client, CustomerFactory.create())
    response = post(client, "/api/v1/auth/refresh", {"refresh": tokens_["refresh"]})
    assert response.status_code == 200
    assert response.json()["refresh"] != tokens_["refresh"]
    replay = post(client, "/api/v1/auth/refresh", {"refresh": tokens_["refresh"]})
    assert replay.status_code == 401
    assert error(replay)["code"] == "token_revoked"


def test_logout_revokes_the_refresh_token(client):
    tokens_ = login(client, CustomerFactory.create())
    assert post(client, "/api/v1/auth/logout", {"refresh": tokens_["refresh"]}).status_code == 204
    after = post(client, "/api/v1/auth/refresh", {"refresh": tokens_["refresh"]})
    assert error(after)["code"] == "token_revoked"


# ---------------------------------------------------------------------- /me and tokens
def test_me_needs_a_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_me_shows_the_token_owner_and_nobody_else(client):
    ada, bola = CustomerFactory.create(full_name="Ada"), CustomerFactory.create(full_name="Bola")
    ada_token = login(client, ada)["access"]
    body = client.get("/api/v1/me", headers=bearer(ada_token)).json()
    assert (body["id"], body["full_name"]) == (ada.pk, "Ada")
    assert body["customer_profile"] == {"phone": ""}
    assert body["vendor_profile"] is None
    assert bola.email not in json.dumps(body)


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("garbage", "invalid_token"),
        (
            tokens.encode(
                user_id=1, token_type="access", version=1, lifetime=timedelta(minutes=-5)
            )[0],
            "token_expired",
        ),
    ],
)
def test_bad_access_tokens_are_401(client, token, code):
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert error(response)["code"] == code


def test_refresh_token_used_as_access_is_refused(client):
    refresh = login(client, CustomerFactory.create())["refresh"]
    response = client.get("/api/v1/me", headers=bearer(refresh))
    assert response.status_code == 401
    assert error(response)["code"] == "invalid_token"


def test_token_of_a_deleted_user_is_refused(client):
    user = CustomerFactory.create()
    access = login(client, user)["access"]
    user.delete()
    assert error(client.get("/api/v1/me", headers=bearer(access)))["code"] == "invalid_token"


def test_token_signed_with_another_key_is_refused(client, settings):
    user = CustomerFactory.create()
    settings.JWT_SIGNING_KEY = "x" * 64
    forged, _ = tokens.access_token(user_id=user.pk, version=1)
    settings.JWT_SIGNING_KEY = "y" * 64
    assert error(client.get("/api/v1/me", headers=bearer(forged)))["code"] == "invalid_token"


def test_patch_me_updates_allowed_fields_and_refuses_others(client):
    access = login(client, CustomerFactory.create())["access"]
    ok = client.patch(
        "/api/v1/me",
        data={"full_name": "Ada O.", "phone": "+234 801"},
        content_type="application/json",
        headers=bearer(access),
    )
    assert ok.status_code == 200
    assert (ok.json()["full_name"], ok.json()["customer_profile"]["phone"]) == (
        "Ada O.",
        "+234 801",
    )
    role = client.patch(
        "/api/v1/me",
        data={"role": "staff"},
        content_type="application/json",
        headers=bearer(access),
    )
    assert role.status_code == 400
    assert error(role)["details"] == {"role": ["Unknown field."]}


def test_password_change_invalidates_old_tokens(client):
    user = CustomerFactory.create()
    old = login(client, user)
    response = post(
        client,
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "Another-Pass-321"},
        **bearer(old["access"]),
    )
    assert response.status_code == 200
    assert (
        error(client.get("/api/v1/me", headers=bearer(old["access"])))["code"] == "token_revoked"
    )
    assert client.get("/api/v1/me", headers=bearer(response.json()["access"])).status_code == 200


# ---------------------------------------------------------------------- password reset
def test_password_reset_flow(client):
    user = CustomerFactory.create()
    assert post(client, "/api/v1/auth/password-reset", {"email": user.email}).status_code == 200
    unknown = post(client, "/api/v1/auth/password-reset", {"email": "ghost@example.com"})
    assert unknown.status_code == 200
    code = _issue_code(user, OneTimeCode.Purpose.PASSWORD_RESET)
    bad = post(
        client,
        "/api/v1/auth/password-reset/confirm",
        {"email": user.email, "code": code, "new_password": "short"},
    )
    assert "new_password" in error(bad)["details"]
    done = post(
        client,
        "/api/v1/auth/password-reset/confirm",
        {"email": user.email, "code": code, "new_password": "Reset-Pass-97531"},
    )
    assert done.status_code == 200
    assert login(client, user, "Reset-Pass-97531")["access"]


# ---------------------------------------------------------------------- vendor profile
def test_vendor_profile_get_and_patch(client):
    vendor = VendorFactory.create()
    access = login(client, vendor)["access"]
    assert (
        client.get("/api/v1/vendor/profile", headers=bearer(access)).json()["slug"]
        == f"store-{vendor.pk}"
    )
    response = client.patch(
        "/api/v1/vendor/profile",
        data={"store_name": "Ada Styles", "stripe_account_id": "acct_1Nv0FGQ9"},
        content_type="application/json",
        headers=bearer(access),
    )
    assert response.status_code == 200
    assert response.json()["store_name"] == "Ada Styles"


def test_a_customer_cannot_read_or_patch_a_vendor_profile(client):
    access = login(client, CustomerFactory.create())["access"]
    assert client.get("/api/v1/vendor/profile", headers=bearer(access)).status_code == 403
    response = client.patch(
        "/api/v1/vendor/profile",
        data={"store_name": "Mine"},
        content_type="application/json",
        headers=bearer(access),
    )
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"


# ---------------------------------------------------------------------- throttling
def test_login_is_limited_per_email_and_ip(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "5/minute"}
    user = CustomerFactory.create()
    for _ in range(5):
        assert (
            post(
                client, "/api/v1/auth/login", {"email": user.email, "password": "bad-1"}
            ).status_code
            == 401
        )
    blocked = post(client, "/api/v1/auth/login", {"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert error(blocked)["code"] == "throttled"
    assert 0 < int(blocked["Retry-After"]) <= 60
    # Another email from the same address is a different bucket.
    assert (
        post(
            client, "/api/v1/auth/login", {"email": "other@example.com", "password": "x"}
        ).status_code
        == 401
    )


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


def test_registration_sends_the_code_by_email(client, run_tasks):
    post(client, "/api/v1/auth/register", REGISTER)
    run_tasks()
    found = re.search(r"\b(\d{6})\b", str(mail.outbox[0].body))
    assert found is not None
    code = found.group(1)
    response = post(
        client, "/api/v1/auth/verify-email", {"email": REGISTER["email"], "code": code}
    )
    assert response.json()["email_verified"] is True
