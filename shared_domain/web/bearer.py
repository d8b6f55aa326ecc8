"""The one reader of `Authorization: Bearer <token>`, used by the rate-limit middleware
and by both APIs' authentication. The verified claims are kept on the request, so a
token is decoded once per request however many layers look at it."""

from __future__ import annotations

from django.http import HttpRequest

from shared_domain.accounts import tokens
from shared_domain.accounts.errors import InvalidToken

_CLAIMS_ATTR = "_access_claims"


def bearer_token(header: str | None) -> str | None:
    """The token of a bearer header; None without one (or with another scheme), so
    the request is anonymous. A bearer header without exactly one token is an error."""
    scheme, _, rest = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = rest.strip()
    if not token or " " in token:
        raise InvalidToken("Send the header as 'Authorization: Bearer <token>'.")
    return token


def request_access_claims(request: HttpRequest) -> tokens.Claims | None:
    """The verified claims of the request's access token (signature, expiry, type), or
    None when it has none. Raises InvalidToken/TokenExpired for a bad one. Whether the
    user still exists and accepts the token is for the selectors to say."""
    cached: tokens.Claims | None = getattr(request, _CLAIMS_ATTR, None)
    if cached is not None:
        return cached
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        return None
    claims = tokens.decode(token, expected_type=tokens.ACCESS)
    setattr(request, _CLAIMS_ATTR, claims)
    return claims
