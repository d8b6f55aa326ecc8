"""Sign-in and tokens: sessions start with a password, continue by rotating refresh
tokens, and end by revoking a token's family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared_domain.accounts import tokens
from shared_domain.accounts.emails import normalize_email
from shared_domain.accounts.errors import (
    InvalidCredentials,
    InvalidToken,
    TokenExpired,
    TokenRevoked,
)
from shared_domain.accounts.models import RefreshToken, User
from shared_domain.accounts.selectors import user_get_by_email
from shared_domain.common.audit import audit_record


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    refresh_jti: str


@dataclass(frozen=True)
class SignIn:
    """A new session: its tokens and whom they speak for. It reads like a TokenPair
    plus `user`, which is the shape both APIs answer a sign-in with."""

    user: User
    tokens: TokenPair

    @property
    def access(self) -> str:
        return self.tokens.access

    @property
    def refresh(self) -> str:
        return self.tokens.refresh

    @property
    def access_expires_at(self) -> datetime:
        return self.tokens.access_expires_at

    @property
    def refresh_expires_at(self) -> datetime:
        return self.tokens.refresh_expires_at


def issue_tokens(user: User, *, family: str | None = None) -> TokenPair:
    access, access_claims = tokens.access_token(user_id=user.pk, version=user.token_version)
    jti = tokens.new_jti()
    refresh, refresh_claims = tokens.encode(
        user_id=user.pk,
        token_type=tokens.REFRESH,
        version=user.token_version,
        lifetime=timedelta(seconds=settings.JWT_REFRESH_LIFETIME),
        jti=jti,
    )
    RefreshToken.objects.create(
        jti=jti, user=user, family=family or jti, expires_at=refresh_claims.expires_at
    )
    return TokenPair(
        access=access,
        refresh=refresh,
        access_expires_at=access_claims.expires_at,
        refresh_expires_at=refresh_claims.expires_at,
        refresh_jti=jti,
    )


def session_login(*, email: str, password: str) -> SignIn:
    """Check the password and issue tokens. Unknown email and wrong password fail the
    same way, in about the same time (the hasher runs in both cases)."""
    user = user_get_by_email(email=email)
    if user is None:
        User().set_password(password)  # spend the same hashing time as a real check
        audit_record(
            action="login_failed", data={"email": normalize_email(email), "reason": "unknown"}
        )
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active:
        reason = "inactive" if user.is_active is False else "password"
        audit_record(action="login_failed", subject=user, data={"reason": reason})
        raise InvalidCredentials()
    with transaction.atomic():
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        pair = issue_tokens(user)
        audit_record(action="login_succeeded", actor_id=user.pk, subject=user)
    return SignIn(user=user, tokens=pair)


def token_refresh(*, refresh_token: str) -> TokenPair:
    """Rotate: the presented refresh token is revoked and the next of its family
    issued. A token presented again after it was rotated is a replay (a stolen copy):
    the whole family is revoked and the caller must sign in again. Within
    JWT_REFRESH_REUSE_GRACE_SECONDS of the rotation it is more likely a race (two tabs,
    a retried request): refused, but the session the rotation continued lives on."""
    claims = tokens.decode(refresh_token, expected_type=tokens.REFRESH)
    grace = timedelta(seconds=settings.JWT_REFRESH_REUSE_GRACE_SECONDS)
    with transaction.atomic():
        # Lock the token row only: the user's row is read, not written.
        row = (
            RefreshToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(jti=claims.jti)
            .first()
        )
        if row is None:
            raise InvalidToken()
        user, now = row.user, timezone.now()
        if row.revoked_at is None:
            if user.is_active and user.token_version == claims.version:
                pair = issue_tokens(user, family=row.family)
                row.revoked_at = now
                row.replaced_by = pair.refresh_jti
                row.save(update_fields=["revoked_at", "replaced_by"])
                return pair
            row.revoked_at = now  # the user was disabled or signed out everywhere
            row.save(update_fields=["revoked_at"])
        elif row.replaced_by and now - row.revoked_at >= grace:
            RefreshToken.objects.filter(family=row.family, revoked_at__isnull=True).update(
                revoked_at=now
            )
            audit_record(action="refresh_token_reuse", subject=user, data={"family": row.family})
    raise TokenRevoked()


def token_revoke(*, refresh_token: str) -> None:
    """Log out: end the session (the refresh token's whole family)."""
    try:
        claims = tokens.decode(refresh_token, expected_type=tokens.REFRESH)
    except TokenExpired:
        return  # an expired session is already over
    with transaction.atomic():
        row = RefreshToken.objects.select_related("user").filter(jti=claims.jti).first()
        if row is None:
            raise InvalidToken()
        RefreshToken.objects.filter(family=row.family, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(action="logout", actor_id=row.user_id, subject=row.user)
