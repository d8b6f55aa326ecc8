"""Writes of the accounts context: registration, one-time codes, sign-in and tokens,
passwords, profiles. Both APIs call these; the rules live here."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
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
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.common.events import publish

# Sentinel for "field not given" in partial updates (None can be a real value).
UNSET: Any = object()
SELF_SERVICE_ROLES = (User.Role.CUSTOMER, User.Role.VENDOR)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    refresh_jti: str


@dataclass(frozen=True)
class SignIn:
    user: User
    tokens: TokenPair


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
    if User.objects.filter(email=email).exists():
        raise EmailTaken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, full_name=full_name, role=role)
    except IntegrityError:
        raise EmailTaken() from None  # registered concurrently
    if role == User.Role.VENDOR:
        _vendor_profile_create(user=user, store_name=store)
    else:
        CustomerProfile.objects.create(user=user)
    publish(events.UserRegistered(user_id=user.pk, role=role))
    return user


def _vendor_profile_create(*, user: User, store_name: str) -> VendorProfile:
    base = slugify(store_name)[:120] or "store"
    for suffix in ["", *(f"-{n}" for n in range(2, 50))]:
        if VendorProfile.objects.filter(slug=base + suffix).exists():
            continue
        try:
            with transaction.atomic():
                return VendorProfile.objects.create(
                    user=user, store_name=store_name, slug=base + suffix
                )
        except IntegrityError:
            continue  # taken concurrently; try the next one
    return VendorProfile.objects.create(
        user=user, store_name=store_name, slug=f"{base}-{secrets.token_hex(4)}"
    )


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


def _check_code(*, user: User | None, purpose: str, code: str) -> _Check:
    """Compare `code` with the user's live code, counting the attempt. Commits the
    count even though the caller then raises."""
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
    user = User.objects.filter(email=normalize_email(email)).first()
    if user is not None and user.email_verified:
        return user
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
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is not None and not user.email_verified:
        publish(events.VerificationCodeRequested(user_id=user.pk))


# ---------------------------------------------------------------------- passwords
def password_reset_request(*, email: str) -> None:
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        return
    audit_record(action="password_reset_requested", subject=user)
    publish(events.PasswordResetRequested(user_id=user.pk))


def _set_password_and_sign_out(user: User, password: str) -> None:
    user.set_password(password)
    user.token_version += 1
    user.save(update_fields=["password", "token_version"])
    RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def password_reset_confirm(*, email: str, code: str, new_password: str) -> User:
    """Set a new password with an emailed code; every session of the user ends."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is not None and (problems := _password_errors(new_password, user)):
        # Checked before the code, so a weak password does not burn an attempt.
        raise ValidationFailed(details={"new_password": problems})
    _raise_for(_check_code(user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, code=code))
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
    if problems := _password_errors(new_password, user):
        raise ValidationFailed(details={"new_password": problems})
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
        family=family or jti,
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
    normalized = normalize_email(email)
    user = User.objects.filter(email=normalized).first()
    if user is None:
        User().set_password(password)  # spend the same hashing time as a real check
        audit_record(action="login_failed", data={"email": normalized, "reason": "unknown"})
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
    issued. A token that was already rotated or revoked is a replay: the whole family
    is revoked and the caller must sign in again."""
    claims = tokens.decode(refresh_token, expected_type=tokens.REFRESH)
    now = timezone.now()
    replayed = False
    with transaction.atomic():
        row = (
            RefreshToken.objects.select_for_update()
            .select_related("user")
            .filter(jti=claims.jti)
            .first()
        )
        if row is None:
            raise InvalidToken()
        user = row.user
        if row.revoked_at is not None:
            # Already rotated: someone holds a copy. End the session on every device.
            replayed = bool(row.replaced_by)
            if replayed:
                RefreshToken.objects.filter(family=row.family, revoked_at__isnull=True).update(
                    revoked_at=now
                )
        elif not user.is_active or user.token_version != claims.version:
            row.revoked_at = now
            row.save(update_fields=["revoked_at"])
        else:
            pair = _issue_tokens(user, family=row.family)
            row.revoked_at = now
            row.replaced_by = pair.refresh_jti
            row.save(update_fields=["revoked_at", "replaced_by"])
            return pair
    if replayed:
        audit_record(action="refresh_token_reuse", subject=user, data={"family": row.family})
    raise TokenRevoked()


def token_revoke(*, refresh_token: str) -> None:
    """Log out: end the session (the refresh token's whole family)."""
    try:
        claims = tokens.decode(refresh_token, expected_type=tokens.REFRESH)
    except TokenExpired:
        return  # an expired session is already over
    with transaction.atomic():
        row = RefreshToken.objects.filter(jti=claims.jti).first()
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
        profile = VendorProfile.objects.select_for_update().get(user=user)
        payout_before = (profile.paystack_subaccount_code, profile.stripe_account_id)
        for field, value in changes.items():
            setattr(profile, field, value)
        profile.save()
        payout_after = (profile.paystack_subaccount_code, profile.stripe_account_id)
        if payout_after != payout_before:
            audit_record(
                action="vendor_payout_changed",
                actor_id=user.pk,
                subject=profile,
                data={"fields": [f for f in changes if f.endswith(("_code", "_id"))]},
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
        if role == User.Role.VENDOR:
            VendorProfile.objects.get_or_create(
                user=user,
                defaults={"store_name": user.full_name or user.email, "slug": f"store-{user.pk}"},
            )
        audit_record(
            action="role_changed", actor_id=by.pk, subject=user, data={"from": before, "to": role}
        )
    return user
