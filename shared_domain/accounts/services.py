"""Writes of the accounts context: registration, one-time codes, sign-in and tokens,
passwords, profiles. Both APIs call these; the rules live here."""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from shared_domain.accounts import events, tokens
from shared_domain.accounts.errors import (
    EmailTaken,
    InvalidCode,
    InvalidCredentials,
    InvalidToken,
    TokenExpired,
    TokenRevoked,
    TooManyAttempts,
    WrongPassword,
)
from shared_domain.accounts.models import (
    CustomerProfile,
    OneTimeCode,
    RefreshToken,
    User,
    VendorProfile,
    normalize_email,
)
from shared_domain.accounts.selectors import user_get_by_email
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import NotFound, PermissionDenied, ValidationFailed
from shared_domain.common.events import publish
from shared_domain.common.partial import UNSET

SELF_SERVICE_ROLES = (User.Role.CUSTOMER, User.Role.VENDOR)
PAYOUT_FIELDS = ("paystack_subaccount_code", "stripe_account_id")


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


# ---------------------------------------------------------------------- registration
def _password_errors(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@transaction.atomic
def user_register(
    *, email: str, password: str, full_name: str, role: str, store_name: str | None = None
) -> User:
    """Create a customer or vendor account (unverified) and have a verification code
    emailed once the transaction commits."""
    email = normalize_email(email)
    full_name = full_name.strip()
    store = (store_name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    if role not in SELF_SERVICE_ROLES:
        errors["role"] = ["Choose customer or vendor."]
    if role == User.Role.VENDOR and not store:
        errors["store_name"] = ["Vendors need a store name."]
    if len(store) > 120:
        errors["store_name"] = ["Use at most 120 characters."]
    if password_problems := _password_errors(password, User(email=email, full_name=full_name)):
        errors["password"] = password_problems
    if errors:
        raise ValidationFailed(details=errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, full_name=full_name, role=role)
    except IntegrityError:
        # The unique index decides, also between concurrent registrations.
        raise EmailTaken() from None
    if role == User.Role.VENDOR:
        _vendor_profile_create(user=user, store_name=store)
    else:
        CustomerProfile.objects.create(user=user)
    publish(events.UserRegistered(user_id=user.pk, role=role))
    return user


def _vendor_profile_create(*, user: User, store_name: str) -> VendorProfile:
    """The store's slug is its name slugified, then `-2`, `-3`… when taken: the insert
    is tried first; only a clash looks up the suffixes in use (one query)."""
    base = slugify(store_name)[:120] or "store"
    slug = base
    for _ in range(3):
        try:
            with transaction.atomic():
                return VendorProfile.objects.create(user=user, store_name=store_name, slug=slug)
        except IntegrityError:
            if VendorProfile.objects.filter(user=user).exists():
                raise  # not the slug: this user already has a store
            slug = _next_free_slug(base)  # taken (maybe concurrently): the next suffix
    return VendorProfile.objects.create(
        user=user, store_name=store_name, slug=f"{base}-{secrets.token_hex(4)}"
    )


def _next_free_slug(base: str) -> str:
    taken = VendorProfile.objects.filter(slug__regex=rf"^{re.escape(base)}-[0-9]+$")
    suffixes = [int(slug.rsplit("-", 1)[1]) for slug in taken.values_list("slug", flat=True)]
    return f"{base}-{max([1, *suffixes]) + 1}"


def user_profile_ensure(*, user: User) -> None:
    """Give the user the profile of their role if they have none yet (accounts made or
    re-roled by staff). Vendors' stores are named after them; they rename it later."""
    if user.role == User.Role.VENDOR:
        if not VendorProfile.objects.filter(user=user).exists():
            store_name = (user.full_name.strip() or f"Store {user.pk}")[:120]
            _vendor_profile_create(user=user, store_name=store_name)
    elif user.role == User.Role.CUSTOMER:
        CustomerProfile.objects.get_or_create(user=user)


# ---------------------------------------------------------------------- one-time codes
def _code_hash(*, user_id: int, purpose: str, code: str) -> str:
    message = f"{purpose}:{user_id}:{code}".encode()
    return hmac.new(settings.OTP_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def one_time_code_issue(*, user: User, purpose: str) -> str:
    """Issue a fresh 6-digit code (the previous live one of the same purpose stops
    working) and return it in clear, for delivery. Only its HMAC is stored."""
    now = timezone.now()
    OneTimeCode.objects.filter(user=user, purpose=purpose, consumed_at__isnull=True).update(
        consumed_at=now
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    OneTimeCode.objects.create(
        user=user,
        purpose=purpose,
        code_hash=_code_hash(user_id=user.pk, purpose=purpose, code=code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    return code


class _Check(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def _check_code(
    *,
    user: User | None,
    purpose: str,
    code: str,
    on_match: Callable[[User], None] | None = None,
) -> _Check:
    """Compare `code` with the user's live code, counting the attempt. Commits the
    count even though the caller then raises. `on_match` runs before a right code is
    consumed: if it raises, the code stays usable."""
    if user is None:
        return _Check.WRONG
    now = timezone.now()
    with transaction.atomic():
        live = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, consumed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if live is None or live.expires_at <= now:
            return _Check.WRONG
        if live.attempts >= settings.OTP_MAX_ATTEMPTS:
            return _Check.LOCKED
        expected = _code_hash(user_id=user.pk, purpose=purpose, code=code)
        if hmac.compare_digest(expected, live.code_hash):
            if on_match is not None:
                on_match(user)
            live.consumed_at = now
            live.save(update_fields=["consumed_at"])
            return _Check.OK
        live.attempts += 1
        live.save(update_fields=["attempts"])
        return _Check.WRONG


def _raise_for(result: _Check) -> None:
    if result is _Check.LOCKED:
        raise TooManyAttempts(retry_after=settings.OTP_TTL_SECONDS)
    if result is _Check.WRONG:
        raise InvalidCode()


def email_verify(*, email: str, code: str) -> User:
    """Mark the address verified with its emailed code. An address that is already
    verified has no live code: it is answered like a wrong code, as an unknown one is,
    so the endpoint does not tell who has an account."""
    user = user_get_by_email(email=email)
    if user is not None and user.email_verified:
        user = None
    result = _check_code(user=user, purpose=OneTimeCode.Purpose.VERIFY_EMAIL, code=code)
    _raise_for(result)
    assert user is not None  # noqa: S101 - _check_code only says OK for a real user
    with transaction.atomic():
        user.email_verified = True
        user.save(update_fields=["email_verified"])
        audit_record(action="email_verified", actor_id=user.pk, subject=user)
        publish(events.EmailVerified(user_id=user.pk))
    return user


def verification_code_resend(*, email: str) -> None:
    """Send a new code if the account exists and is unverified. Says nothing either
    way, so the endpoint cannot be used to find out who has an account."""
    user = user_get_by_email(email=email, active_only=True)
    if user is not None and not user.email_verified:
        publish(events.VerificationCodeRequested(user_id=user.pk))


# ---------------------------------------------------------------------- passwords
def password_reset_request(*, email: str) -> None:
    user = user_get_by_email(email=email, active_only=True)
    if user is None:
        return
    audit_record(action="password_reset_requested", subject=user)
    publish(events.PasswordResetRequested(user_id=user.pk))


def _set_password_and_sign_out(user: User, password: str) -> None:
    user.set_password(password)
    user.token_version = F("token_version") + 1
    user.save(update_fields=["password", "token_version"])
    user.refresh_from_db(fields=["token_version"])
    RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _new_password_check(password: str, user: User) -> None:
    if problems := _password_errors(password, user):
        raise ValidationFailed(details={"new_password": problems})


def password_reset_confirm(*, email: str, code: str, new_password: str) -> User:
    """Set a new password with an emailed code; every session of the user ends.

    The password's strength is checked before the code, so a weak password does not
    burn an attempt, and the same way for every request (against the email only), so
    the answer does not tell whether the account exists. Similarity to the account's
    name is checked once the code proved who is asking."""
    _new_password_check(new_password, User(email=normalize_email(email)))
    user = user_get_by_email(email=email, active_only=True)
    _raise_for(
        _check_code(
            user=user,
            purpose=OneTimeCode.Purpose.PASSWORD_RESET,
            code=code,
            on_match=lambda owner: _new_password_check(new_password, owner),
        )
    )
    assert user is not None  # noqa: S101 - _check_code only says OK for a real user
    with transaction.atomic():
        _set_password_and_sign_out(user, new_password)
        if not user.email_verified:  # the emailed code proved the address
            user.email_verified = True
            user.save(update_fields=["email_verified"])
        audit_record(action="password_reset", actor_id=user.pk, subject=user)
        publish(events.PasswordChanged(user_id=user.pk, how="reset"))
    return user


def password_change(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Change the password; other sessions end and this one gets fresh tokens."""
    if not user.check_password(current_password):
        audit_record(action="password_change_failed", actor_id=user.pk, subject=user)
        raise WrongPassword(details={"current_password": ["The current password is not correct."]})
    _new_password_check(new_password, user)
    with transaction.atomic():
        _set_password_and_sign_out(user, new_password)
        audit_record(action="password_changed", actor_id=user.pk, subject=user)
        publish(events.PasswordChanged(user_id=user.pk, how="change"))
        return _issue_tokens(user)


# ---------------------------------------------------------------------- sign-in and tokens
def _issue_tokens(user: User, *, family: str | None = None) -> TokenPair:
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
        pair = _issue_tokens(user)
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
                pair = _issue_tokens(user, family=row.family)
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


# ---------------------------------------------------------------------- profiles
def user_update(*, user: User, full_name: str = UNSET, phone: str = UNSET) -> User:
    errors: dict[str, list[str]] = {}
    if full_name is not UNSET:
        full_name = full_name.strip()
        if not full_name or len(full_name) > 150:
            errors["full_name"] = ["Use 1 to 150 characters."]
    if phone is not UNSET and len(phone.strip()) > 32:
        errors["phone"] = ["Use at most 32 characters."]
    if phone is not UNSET and not user.is_customer:
        errors["phone"] = ["Only customers have a phone number on their profile."]
    if errors:
        raise ValidationFailed(details=errors)
    with transaction.atomic():
        if full_name is not UNSET:
            user.full_name = full_name
            user.save(update_fields=["full_name"])
        if phone is not UNSET:
            # The profile loaded with the user, if it was: the caller sees the change.
            profile = getattr(user, "customer_profile", None)
            if profile is None:
                profile, _ = CustomerProfile.objects.get_or_create(user=user)
            profile.phone = phone.strip()
            profile.save(update_fields=["phone", "updated_at"])
    return user


def vendor_profile_update(
    *,
    user: User,
    store_name: str = UNSET,
    description: str = UNSET,
    paystack_subaccount_code: str = UNSET,
    stripe_account_id: str = UNSET,
) -> VendorProfile:
    if not user.is_vendor:
        raise PermissionDenied("Only vendors have a vendor profile.")
    changes: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if store_name is not UNSET:
        store_name = store_name.strip()
        if not store_name or len(store_name) > 120:
            errors["store_name"] = ["Use 1 to 120 characters."]
        changes["store_name"] = store_name
    if description is not UNSET:
        changes["description"] = description.strip()
    for field, value, prefix in (
        ("paystack_subaccount_code", paystack_subaccount_code, "ACCT_"),
        ("stripe_account_id", stripe_account_id, "acct_"),
    ):
        if value is UNSET:
            continue
        value = value.strip()
        if value and (not value.startswith(prefix) or len(value) > 64 or not value.isascii()):
            errors[field] = [f"Expected an id starting with {prefix}."]
        changes[field] = value
    if errors:
        raise ValidationFailed(details=errors)
    with transaction.atomic():
        profile = VendorProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            raise NotFound("This account has no vendor profile.")
        payout_changed = [
            field
            for field in PAYOUT_FIELDS
            if field in changes and changes[field] != getattr(profile, field)
        ]
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.save()
        if payout_changed:
            audit_record(
                action="vendor_payout_changed",
                actor_id=user.pk,
                subject=profile,
                data={"fields": payout_changed},
            )
    return profile


def user_role_change(*, user: User, role: str, by: User) -> User:
    """Staff only: change a user's role (audited)."""
    if not by.is_platform_staff:
        raise PermissionDenied("Only staff can change roles.")
    if role not in User.Role.values:
        raise ValidationFailed(details={"role": [f"Choose one of {', '.join(User.Role.values)}."]})
    with transaction.atomic():
        before = user.role
        user.role = role
        user.save(update_fields=["role"])
        user_profile_ensure(user=user)
        audit_record(
            action="role_changed", actor_id=by.pk, subject=user, data={"from": before, "to": role}
        )
    return user
