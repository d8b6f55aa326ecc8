"""The rate-limit buckets of sign-in, one-time codes and password endpoints, keyed the
same way wherever they are enforced (v1, v2, the admin login), so every entry point
counts in the same Redis counters (see shared_domain.web.throttling)."""

from __future__ import annotations

from shared_domain.accounts.emails import normalize_email
from shared_domain.web.throttling import aenforce, client_ident, enforce

Bucket = tuple[str, str]  # (scope, identity)


def per_email_and_client(email: str) -> str:
    return f"{normalize_email(email)}|{client_ident()}"


def login_buckets(email: str) -> tuple[Bucket, ...]:
    """Per email and client address (THROTTLE_LOGIN_RATE), and per account across every
    address (THROTTLE_LOGIN_ACCOUNT_RATE, looser) against attacks spread over many IPs."""
    return (("login", per_email_and_client(email)), ("login_account", normalize_email(email)))


def login_limit(*, email: str) -> None:
    for scope, ident in login_buckets(email):
        enforce(scope, ident)


async def alogin_limit(*, email: str) -> None:
    for scope, ident in login_buckets(email):
        await aenforce(scope, ident)


def per_user(user_id: int) -> str:
    return f"user:{user_id}"
