"""SPEC §8 steps 1-3 through the ingress: register on v1, read the emailed code from
the development mailer's output, verify, sign in on v1 and v2; errors and shared
rate limits across the two services."""

from __future__ import annotations

import pytest

from tests.e2e.mailbox import verification_code as _code_for

pytestmark = pytest.mark.e2e

PASSWORD = "Ankara-Maxi-Dress-2026"


def test_register_verify_and_sign_in_on_both_apis(ingress, mail_dir):
    email = "ada.e2e@example.com"
    registered = ingress.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": "Ada Obi", "role": "customer"},
    )
    assert registered.status_code == 201, registered.text
    assert registered.json() == {
        "id": registered.json()["id"],
        "email": email,
        "role": "customer",
        "email_verified": False,
    }
    duplicate = ingress.post(
        "/api/v1/auth/register",
        json={
            "email": email.upper(),
            "password": PASSWORD,
            "full_name": "Ada",
            "role": "customer",
        },
    )
    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (409, "email_taken")

    code = _code_for(mail_dir, email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    bad = ingress.post("/api/v1/auth/verify-email", json={"email": email, "code": wrong})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_code")
    verified = ingress.post("/api/v1/auth/verify-email", json={"email": email, "code": code})
    assert verified.status_code == 200
    assert verified.json()["email_verified"] is True

    v1 = ingress.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    v2 = ingress.post("/api/v2/auth/login", json={"email": email, "password": PASSWORD})
    assert v1.status_code == v2.status_code == 200
    for body in (v1.json(), v2.json()):
        assert body["user"] == {"id": registered.json()["id"], "email": email, "role": "customer"}
    # A v1 token on v2 and the other way round.
    me_v2 = ingress.get("/api/v2/me", headers={"Authorization": f"Bearer {v1.json()['access']}"})
    me_v1 = ingress.get("/api/v1/me", headers={"Authorization": f"Bearer {v2.json()['access']}"})
    assert me_v2.json()["email"] == me_v1.json()["email"] == email
    assert me_v2.json()["email_verified"] is True

    refreshed = ingress.post("/api/v2/auth/refresh", json={"refresh": v1.json()["refresh"]})
    assert refreshed.status_code == 200
    replayed = ingress.post("/api/v1/auth/refresh", json={"refresh": v1.json()["refresh"]})
    assert (replayed.status_code, replayed.json()["error"]["code"]) == (401, "token_revoked")


def test_bad_credentials_are_the_same_401_on_both_apis(ingress):
    for path in ("/api/v1/auth/login", "/api/v2/auth/login"):
        response = ingress.post(path, json={"email": "nobody.e2e@example.com", "password": "x"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_malformed_json_is_the_json_error_body(ingress, prefix):
    response = ingress.post(
        f"{prefix}/auth/login", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_sign_in_limits_are_shared_by_both_services(ingress):
    body = {"email": "limited.e2e@example.com", "password": "wrong-password"}
    statuses = [ingress.post("/api/v1/auth/login", json=body).status_code for _ in range(5)]
    assert statuses == [401] * 5
    on_v2 = ingress.post("/api/v2/auth/login", json=body)
    assert on_v2.status_code == 429  # the five v1 attempts counted for v2 too
    assert int(on_v2.headers["retry-after"]) > 0
    assert on_v2.json()["error"]["code"] == "throttled"


def test_forged_token_is_401_on_both(ingress):
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}
    for path in ("/api/v1/me", "/api/v2/me"):
        response = ingress.get(path, headers=forged)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"


def test_oversized_bodies_are_refused(ingress):
    big = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    for path in ("/api/v1/auth/login", "/api/v2/auth/login"):
        response = ingress.post(path, content=big, headers={"Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("prefix", ["/api/v1", "/api/v2"])
def test_nul_characters_are_a_400_not_a_500(ingress, prefix):
    body = ingress.post(f"{prefix}/auth/login", json={"email": "a\u0000@x.co", "password": "x"})
    assert (body.status_code, body.json()["error"]["code"]) == (400, "validation_error")
    assert body.json()["error"]["details"] == {"email": ["Null characters are not allowed."]}
    search = (
        "/api/v1/products?brand=%00"
        if prefix == "/api/v1"
        else "/api/v2/products/search?brand=%00"
    )
    query = ingress.get(search)
    assert (query.status_code, query.json()["error"]["code"]) == (400, "validation_error")
