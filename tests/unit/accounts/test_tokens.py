from datetime import timedelta

import jwt
import pytest
from django.utils import timezone

from shared_domain.accounts import tokens
from shared_domain.accounts.errors import InvalidToken, TokenExpired


def _token(**overrides):
    defaults = {
        "user_id": 7,
        "token_type": tokens.ACCESS,
        "version": 1,
        "lifetime": timedelta(minutes=15),
    }
    return tokens.encode(**{**defaults, **overrides})[0]


def test_round_trip_keeps_the_claims():
    token, claims = tokens.encode(
        user_id=7, token_type=tokens.REFRESH, version=3, lifetime=timedelta(days=7)
    )
    decoded = tokens.decode(token, expected_type=tokens.REFRESH)
    assert (decoded.user_id, decoded.version, decoded.jti, decoded.expires_at) == (
        7,
        3,
        claims.jti,
        claims.expires_at.replace(microsecond=0),
    )


def _payload(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_access_tokens_last_fifteen_minutes():
    token, _ = tokens.access_token(user_id=1, version=1)
    payload = _payload(token)
    assert payload["exp"] - payload["iat"] == 900


def test_tokens_carry_only_the_documented_claims():
    token, _ = tokens.encode(
        user_id=7, token_type=tokens.REFRESH, version=1, lifetime=timedelta(days=7)
    )
    assert set(_payload(token)) == {"iss", "sub", "typ", "jti", "iat", "exp", "ver"}


def test_expired_token_is_refused():
    token = _token(now=timezone.now() - timedelta(hours=1))
    with pytest.raises(TokenExpired):
        tokens.decode(token, expected_type=tokens.ACCESS)


def test_refresh_token_cannot_be_used_as_access():
    token = _token(token_type=tokens.REFRESH)
    with pytest.raises(InvalidToken, match="refresh token cannot be used"):
        tokens.decode(token, expected_type=tokens.ACCESS)


@pytest.mark.parametrize(
    "forged",
    [
        jwt.encode({"sub": "7", "typ": "access"}, "a-wrong-key-that-is-long-enough-32b", "HS256"),
        "not.a.jwt",
        "",
        jwt.encode({"iss": "fashionistar", "sub": "7", "typ": "access"}, None, algorithm="none"),
    ],
)
def test_forged_or_garbage_tokens_are_refused(forged):
    with pytest.raises(InvalidToken):
        tokens.decode(forged, expected_type=tokens.ACCESS)


def test_tampered_payload_is_refused():
    header, _payload, signature = _token().split(".")
    _other_header, other_payload, _ = _token(user_id=8).split(".")
    with pytest.raises(InvalidToken):
        tokens.decode(f"{header}.{other_payload}.{signature}", expected_type=tokens.ACCESS)


def test_tokens_missing_required_claims_are_refused(settings):
    token = jwt.encode(
        {"iss": "fashionistar", "sub": "7", "typ": "access"}, settings.JWT_SIGNING_KEY, "HS256"
    )
    with pytest.raises(InvalidToken):
        tokens.decode(token, expected_type=tokens.ACCESS)


@pytest.mark.parametrize("exp", [1e20, 10**30, float("inf"), float("nan"), "soon", None])
def test_well_signed_tokens_with_impossible_expiry_are_invalid(settings, exp):
    payload = {
        "iss": tokens.ISSUER,
        "sub": "7",
        "typ": tokens.ACCESS,
        "jti": "x",
        "iat": 1_700_000_000,
        "exp": exp,
        "ver": 1,
    }
    token = jwt.encode(payload, settings.JWT_SIGNING_KEY, algorithm=tokens.ALGORITHM)
    with pytest.raises(InvalidToken):
        tokens.decode(token, expected_type=tokens.ACCESS)
