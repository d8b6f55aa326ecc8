"""The rate-limit buckets of sign-in, one-time codes and password endpoints, keyed the
same way wherever they are enforced (v1, v2, the admin login), so every entry point
counts in the same Redis counters (see shared_domain.web.throttling).

Sign-in follows OWASP's lockout guidance. Each attempt counts against:

- `login`: the account from this client address (a guesser at one account);
- `login_client`: this client address across every account (credential stuffing);
- `login_account`: the account across every address (a guesser spread over many IPs),
  **except** from an address the account signed in from successfully in the last
  THROTTLE_KNOWN_CLIENT_DAYS. An attacker elsewhere who exhausts `login_account` thus
  blocks only new addresses: the owner's usual ones keep working. The first refusal of
  a window writes a `login_account_throttled` audit entry and every refusal counts in
  `fashionistar_login_account_throttled_total`, for staff to be alerted.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from prometheus_client import Counter

from shared_domain.accounts.emails import normalize_email
from shared_domain.common.asyncdb import run_db
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import Throttled
from shared_domain.common.redis import get_async_redis, get_redis
from shared_domain.web.throttling import (
    Decision,
    aenforce,
    ahit,
    client_ident,
    digest,
    enforce,
    hit,
)

logger = logging.getLogger("fashionistar.throttling")

Bucket = tuple[str, str]  # (scope, identity)

ACCOUNT_THROTTLED = Counter(
    "fashionistar_login_account_throttled_total",
    "Sign-ins refused by the per-account limit: an account under a spread-out attack.",
)


def per_email_and_client(email: str) -> str:
    return f"{normalize_email(email)}|{client_ident()}"


def per_client() -> str:
    return f"ip:{client_ident()}"


def per_user(user_id: int) -> str:
    return f"user:{user_id}"


def _known_key(email: str) -> str:
    return f"known:{digest(normalize_email(email))}"


# ------------------------------------------------------------------ known addresses
def _known_ttl() -> int:
    return int(settings.THROTTLE_KNOWN_CLIENT_DAYS * 86400)


def client_is_known(email: str) -> bool:
    try:
        return bool(get_redis().sismember(_known_key(email), digest(client_ident())))
    except redis.RedisError as exc:
        logger.warning("known sign-in addresses not read, Redis failed: %s", exc)
        return False


async def aclient_is_known(email: str) -> bool:
    try:
        known = await get_async_redis().sismember(_known_key(email), digest(client_ident()))
    except (redis.RedisError, OSError) as exc:
        logger.warning("known sign-in addresses not read, Redis failed: %s", exc)
        return False
    return bool(known)


def login_succeeded(*, email: str) -> None:
    """Remember this address as one the account signs in from."""
    key = _known_key(email)
    try:
        pipe = get_redis().pipeline()
        pipe.sadd(key, digest(client_ident()))
        pipe.expire(key, _known_ttl())
        pipe.execute()
    except redis.RedisError as exc:
        logger.warning("known sign-in address not kept, Redis failed: %s", exc)


async def alogin_succeeded(*, email: str) -> None:
    key = _known_key(email)
    try:
        pipe = get_async_redis().pipeline()
        pipe.sadd(key, digest(client_ident()))
        pipe.expire(key, _known_ttl())
        await pipe.execute()
    except (redis.RedisError, OSError) as exc:
        logger.warning("known sign-in address not kept, Redis failed: %s", exc)


# ------------------------------------------------------------------ limits
def _account_throttled(email: str, decision: Decision) -> Throttled:
    ACCOUNT_THROTTLED.inc()
    return Throttled(retry_after=decision.retry_after, details={"scope": "login_account"})


def _audit_account_throttled(email: str) -> None:
    audit_record(
        action="login_account_throttled",
        data={"email": normalize_email(email), "rate": settings.THROTTLE_RATES["login_account"]},
    )


def login_limit(*, email: str) -> None:
    """Count one sign-in attempt for `email`; raise Throttled when over a limit."""
    enforce("login", per_email_and_client(email))
    enforce("login_client", per_client())
    if not settings.THROTTLE_ENABLED or client_is_known(email):
        return
    decision = hit("login_account", normalize_email(email))
    if not decision.allowed:
        if decision.first_refusal:
            _audit_account_throttled(email)
        raise _account_throttled(email, decision)


async def alogin_limit(*, email: str) -> None:
    await aenforce("login", per_email_and_client(email))
    await aenforce("login_client", per_client())
    if not settings.THROTTLE_ENABLED or await aclient_is_known(email):
        return
    decision = await ahit("login_account", normalize_email(email))
    if not decision.allowed:
        if decision.first_refusal:
            await run_db(_audit_account_throttled, email)
        raise _account_throttled(email, decision)
