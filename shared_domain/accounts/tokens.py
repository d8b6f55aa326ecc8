"""JSON Web Tokens: short-lived access tokens and rotating refresh tokens, the same
on v1 and v2. HS256 with JWT_SIGNING_KEY. Claims: iss, sub (user id), typ
(access|refresh), jti, iat, exp, ver (the user's token_version). A refresh token's
rotation family is kept with its jti in the database (RefreshToken), not in the token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from django.conf import settings
from django.utils import timezone

from shared_domain.accounts.errors import InvalidToken, TokenExpired

ISSUER = "fashionistar"
ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
_REQUIRED = ["iss", "sub", "typ", "jti", "iat", "exp", "ver"]


@dataclass(frozen=True)
class Claims:
    user_id: int
    token_type: str
    jti: str
    version: int
    expires_at: datetime


def new_jti() -> str:
    return uuid.uuid4().hex


def encode(
    *,
    user_id: int,
    token_type: str,
    version: int,
    lifetime: timedelta,
    jti: str | None = None,
    now: datetime | None = None,
) -> tuple[str, Claims]:
    issued = now or timezone.now()
    expires = issued + lifetime
    claims = Claims(
        user_id=user_id,
        token_type=token_type,
        jti=jti or new_jti(),
        version=version,
        expires_at=expires,
    )
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "sub": str(user_id),
        "typ": token_type,
        "jti": claims.jti,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "ver": version,
    }
    return jwt.encode(payload, settings.JWT_SIGNING_KEY, algorithm=ALGORITHM), claims


def decode(token: str, *, expected_type: str) -> Claims:
    """Verify signature, issuer, expiry and type. Raises TokenExpired or InvalidToken."""
    try:
        payload = jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": _REQUIRED},
            leeway=settings.JWT_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise TokenExpired() from None
    # PyJWT turns numeric claims into ints: an infinite or NaN one raises these.
    except (jwt.InvalidTokenError, OverflowError, ValueError, TypeError):
        raise InvalidToken() from None
    if payload.get("typ") != expected_type:
        raise InvalidToken(f"A {payload.get('typ')} token cannot be used here.")
    try:
        user_id = int(payload["sub"])
        version = int(payload["ver"])
        # A well-signed expiry past year 9999 (e.g. exp=1e20) is no date at all.
        expires_at = datetime.fromtimestamp(payload["exp"], tz=timezone.get_current_timezone())
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidToken() from None
    return Claims(
        user_id=user_id,
        token_type=expected_type,
        jti=str(payload["jti"]),
        version=version,
        expires_at=expires_at,
    )


def access_token(*, user_id: int, version: int) -> tuple[str, Claims]:
    return encode(
        user_id=user_id,
        token_type=ACCESS,
        version=version,
        lifetime=timedelta(seconds=settings.JWT_ACCESS_LIFETIME),
    )
