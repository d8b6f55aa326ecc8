"""v1 account endpoints: SPEC §8 steps 1-3, every error path, tokens, throttling."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shared_domain.accounts import services, tokens
from shared_domain.accounts.models import OneTimeCode, User, VendorProfile
from tests.factories import PASSWORD, CustomerFactory, VendorFactory
from tests.http import bearer, error, login, post

pytestmark = pytest.mark.django_db


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
    ada, bola = CustomerFactory.create(full_name="Ada"), VendorFactory.create(full_name="Bola")
    seen = {}
    for user in (ada, bola):
        body = client.get("/api/v1/me", headers=bearer(login(client, user)["access"])).json()
        seen[user.pk] = (body["id"], body["email"], body["full_name"])
    assert seen == {ada.pk: (ada.pk, ada.email, "Ada"), bola.pk: (bola.pk, bola.email, "Bola")}


def test_me_loads_the_user_and_profiles_in_one_query(client, django_assert_num_queries):
    access = login(client, VendorFactory.create())["access"]
    with django_assert_num_queries(1):
        body = client.get("/api/v1/me", headers=bearer(access)).json()
    assert body["customer_profile"] is None
    assert body["vendor_profile"]["store_name"]


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
        data={"full_name": "Ada O.", "phone": "+234 801 234 5678"},
        content_type="application/json",
        headers=bearer(access),
    )
    assert ok.status_code == 200
    assert (ok.json()["full_name"], ok.json()["customer_profile"]["phone"]) == (
        "Ada O.",
        "+2348012345678",
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


def test_verify_on_a_verified_account_answers_like_a_wrong_code(client):
    user = CustomerFactory.create(email_verified=True)
    answers = [
        post(client, "/api/v1/auth/verify-email", {"email": email, "code": "123456"})
        for email in (user.email, "ghost@example.com")
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert error(answers[0]) == error(answers[1])
    assert error(answers[0])["code"] == "invalid_code"


def test_reset_with_a_weak_password_answers_alike_for_unknown_accounts(client):
    user = CustomerFactory.create()
    answers = [
        post(
            client,
            "/api/v1/auth/password-reset/confirm",
            {"email": email, "code": "123456", "new_password": "12345"},
        )
        for email in (user.email, "ghost@example.com")
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert error(answers[0]) == error(answers[1])
    assert error(answers[0])["code"] == "validation_error"


def test_password_reset_confirm_wrong_codes_then_too_many_attempts(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "code": "100/minute"}
    user = CustomerFactory.create()
    code = _issue_code(user, OneTimeCode.Purpose.PASSWORD_RESET)
    body = {"email": user.email, "new_password": "Reset-Pass-97531"}
    wrong = f"{(int(code) + 3) % 1_000_000:06d}"
    for _ in range(5):
        response = post(client, "/api/v1/auth/password-reset/confirm", {**body, "code": wrong})
        assert (response.status_code, error(response)["code"]) == (400, "invalid_code")
    locked = post(client, "/api/v1/auth/password-reset/confirm", {**body, "code": code})
    assert (locked.status_code, error(locked)["code"]) == (429, "too_many_attempts")
    assert int(locked["Retry-After"]) > 0


EXPIRED_REFRESH = tokens.encode(
    user_id=1, token_type="refresh", version=1, lifetime=timedelta(minutes=-5)
)[0]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/v1/auth/resend-code", {}, 400, "validation_error"),
        ("/api/v1/auth/resend-code", {"email": 5}, 400, "validation_error"),
        ("/api/v1/auth/password-reset", {"email": ""}, 400, "validation_error"),
        ("/api/v1/auth/password-reset/confirm", {"email": "a@b.co"}, 400, "validation_error"),
        (
            "/api/v1/auth/password-reset/confirm",
            {"email": "ghost@example.com", "code": "123456", "new_password": "Reset-Pass-97531"},
            400,
            "invalid_code",
        ),
        ("/api/v1/auth/refresh", {}, 400, "validation_error"),
        ("/api/v1/auth/refresh", {"refresh": "garbage"}, 401, "invalid_token"),
        ("/api/v1/auth/refresh", {"refresh": EXPIRED_REFRESH}, 401, "token_expired"),
        ("/api/v1/auth/logout", {}, 400, "validation_error"),
        ("/api/v1/auth/logout", {"refresh": "garbage"}, 401, "invalid_token"),
    ],
)
def test_auth_error_paths(client, path, body, status, code):
    response = post(client, path, body)
    assert response.status_code == status
    assert error(response)["code"] == code


@pytest.mark.parametrize(
    ("scope", "path", "body"),
    [
        ("resend", "/api/v1/auth/resend-code", {"email": "a@b.co"}),
        ("password_reset", "/api/v1/auth/password-reset", {"email": "a@b.co"}),
        ("code", "/api/v1/auth/verify-email", {"email": "a@b.co", "code": "123456"}),
        (
            "code",
            "/api/v1/auth/password-reset/confirm",
            {"email": "a@b.co", "code": "123456", "new_password": "Reset-Pass-97531"},
        ),
        ("register", "/api/v1/auth/register", REGISTER),
        ("refresh", "/api/v1/auth/refresh", {"refresh": "garbage"}),
    ],
)
def test_auth_endpoints_are_throttled(client, settings, scope, path, body):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, scope: "1/minute"}
    assert post(client, path, body).status_code != 429
    blocked = post(client, path, body)
    assert blocked.status_code == 429
    assert (error(blocked)["code"], error(blocked)["details"]["scope"]) == ("throttled", scope)
    assert int(blocked["Retry-After"]) > 0


def _patch(client, path, body, access=None):
    return client.patch(
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers=bearer(access) if access else {},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": 5}, "full_name"),
        ({"phone": "1" * 40}, "phone"),
    ],
)
def test_patch_me_errors(client, body, field):
    assert _patch(client, "/api/v1/me", body).status_code == 401
    response = _patch(
        client, "/api/v1/me", body, login(client, CustomerFactory.create())["access"]
    )
    assert (response.status_code, error(response)["code"]) == (400, "validation_error")
    assert field in error(response)["details"]


def test_password_change_errors(client):
    user = CustomerFactory.create()
    body = {"current_password": PASSWORD, "new_password": "Another-Pass-321"}
    assert post(client, "/api/v1/me/password", body).status_code == 401
    access = login(client, user)["access"]
    wrong = post(
        client, "/api/v1/me/password", {**body, "current_password": "no"}, **bearer(access)
    )
    assert (wrong.status_code, error(wrong)["code"]) == (400, "wrong_password")
    assert "current_password" in error(wrong)["details"]
    weak = post(client, "/api/v1/me/password", {**body, "new_password": "123"}, **bearer(access))
    assert (weak.status_code, error(weak)["code"]) == (400, "validation_error")
    assert "new_password" in error(weak)["details"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


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
        data={
            "store_name": "Ada Styles",
            "stripe_account_id": "acct_1Nv0FGQ9",
            "current_password": PASSWORD,
        },
        content_type="application/json",
        headers=bearer(access),
    )
    assert response.status_code == 200
    assert response.json()["store_name"] == "Ada Styles"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"store_name": ""}, "store_name"),
        ({"store_name": "x" * 121}, "store_name"),
        ({"stripe_account_id": "nope"}, "stripe_account_id"),
        ({"paystack_subaccount_code": "acct_x"}, "paystack_subaccount_code"),
        ({"slug": "mine"}, "slug"),
    ],
)
def test_vendor_profile_errors(client, body, field):
    assert client.get("/api/v1/vendor/profile").status_code == 401
    assert _patch(client, "/api/v1/vendor/profile", body).status_code == 401
    access = login(client, VendorFactory.create())["access"]
    response = _patch(client, "/api/v1/vendor/profile", body, access)
    assert (response.status_code, error(response)["code"]) == (400, "validation_error")
    assert field in error(response)["details"]


def test_a_vendor_without_a_store_gets_404_on_read_and_update(client):
    vendor = VendorFactory.create()
    VendorProfile.objects.filter(user=vendor).delete()
    access = login(client, vendor)["access"]
    read = client.get("/api/v1/vendor/profile", headers=bearer(access))
    update = _patch(client, "/api/v1/vendor/profile", {"store_name": "Ada Styles"}, access)
    assert (read.status_code, update.status_code) == (404, 404)
    assert error(read)["code"] == error(update)["code"] == "not_found"


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


def _from(ip):
    return {"X-Forwarded-For": ip}


def test_login_is_limited_per_account_across_addresses(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login_account": "3/hour"}
    user = CustomerFactory.create()
    body = {"email": user.email, "password": "bad-password-1"}
    statuses = [
        post(client, "/api/v1/auth/login", body, **_from(f"203.0.113.{n}")).status_code
        for n in range(1, 5)
    ]
    assert statuses == [401, 401, 401, 429]
    blocked = post(
        client, "/api/v1/auth/login", {**body, "password": PASSWORD}, **_from("198.51.100.9")
    )
    assert (blocked.status_code, error(blocked)["details"]["scope"]) == (429, "login_account")
    # The bucket is the account's: other accounts sign in from the same addresses.
    assert login(client, CustomerFactory.create())["access"]


def test_password_change_is_limited_per_user(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "password_change": "2/hour"}
    user = CustomerFactory.create()
    access = login(client, user)["access"]
    body = {"current_password": "not-it", "new_password": "Another-Pass-321"}
    statuses = [
        post(
            client, "/api/v1/me/password", body, **bearer(access), **_from(f"203.0.113.{n}")
        ).status_code
        for n in range(3)
    ]
    assert statuses == [400, 400, 429]
    other = login(client, CustomerFactory.create())["access"]
    assert post(client, "/api/v1/me/password", body, **bearer(other)).status_code == 400


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


# ---------------------------------------------------------------------- NUL characters
NUL_MESSAGE = "Null characters are not allowed."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a\u0000@x.co", "password": "x"}, "email"),
        ({"email": "a@x.co", "password": "x", "k\u0000": 1}, "k\u0000"),
        ({"email": "a@x.co", "password": {"a": ["ok", "\u0000"]}}, "password.a.1"),
    ],
)
def test_nul_in_any_json_string_is_a_400_validation_error(client, body, field):
    response = post(client, "/api/v1/auth/login", body)
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_error"
    assert err["details"] == {field: [NUL_MESSAGE]}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/products?q=%00", "q"),
        ("/api/v1/products?brand=ada%00", "brand"),
        ("/api/v1/me?email=%00", "email"),
        ("/api/v1/categories?a%00=1", "a\u0000"),
        ("/api/v1/tasks/%00", "path"),
    ],
)
def test_nul_in_the_query_string_or_path_is_a_400(client, path, field):
    response = client.get(path)
    assert response.status_code == 400
    err = error(response)
    assert err["code"] == "validation_error"
    assert err["details"] == {field: [NUL_MESSAGE]}
