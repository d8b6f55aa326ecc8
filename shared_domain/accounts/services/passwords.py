"""Passwords: strength rules, reset by emailed code, change by the signed-in user.
Setting a password ends every session of the account."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shared_domain.accounts import events
from shared_domain.accounts.emails import normalize_email
from shared_domain.accounts.errors import WrongPassword
from shared_domain.accounts.models import OneTimeCode, RefreshToken, User
from shared_domain.accounts.selectors import user_get_by_email
from shared_domain.accounts.services.codes import code_check, code_check_raise
from shared_domain.accounts.services.sessions import TokenPair, issue_tokens
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import ValidationFailed
from shared_domain.common.events import publish


def password_problems(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


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
    if problems := password_problems(password, user):
        raise ValidationFailed(details={"new_password": problems})


def password_reset_confirm(*, email: str, code: str, new_password: str) -> User:
    """Set a new password with an emailed code; every session of the user ends.

    The password's strength is checked before the code, so a weak password does not
    burn an attempt, and the same way for every request (against the email only), so
    the answer does not tell whether the account exists. Similarity to the account's
    name is checked once the code proved who is asking."""
    _new_password_check(new_password, User(email=normalize_email(email)))
    user = user_get_by_email(email=email, active_only=True)
    code_check_raise(
        code_check(
            user=user,
            purpose=OneTimeCode.Purpose.PASSWORD_RESET,
            code=code,
            on_match=lambda owner: _new_password_check(new_password, owner),
        )
    )
    assert user is not None  # noqa: S101 - code_check only says OK for a real user
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
        return issue_tokens(user)
