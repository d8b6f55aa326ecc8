"""Registration: a new customer or vendor account, and proving its email address
with an emailed code."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from shared_domain.accounts import events
from shared_domain.accounts.emails import normalize_email
from shared_domain.accounts.errors import EmailTaken
from shared_domain.accounts.models import CustomerProfile, OneTimeCode, User
from shared_domain.accounts.roles import SELF_SERVICE_ROLES, Role
from shared_domain.accounts.selectors import user_get_by_email
from shared_domain.accounts.services.codes import code_check, code_check_raise
from shared_domain.accounts.services.passwords import password_problems
from shared_domain.accounts.services.profiles import vendor_profile_create
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import ValidationFailed
from shared_domain.common.events import publish
from shared_domain.common.text import control_characters_problem


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
    if role == Role.VENDOR and not store:
        errors["store_name"] = ["Vendors need a store name."]
    if len(store) > 120:
        errors["store_name"] = ["Use at most 120 characters."]
    for field, value in (("full_name", full_name), ("store_name", store)):
        if problem := control_characters_problem(value):
            errors[field] = [problem]
    if weak := password_problems(password, User(email=email, full_name=full_name)):
        errors["password"] = weak
    if errors:
        raise ValidationFailed(details=errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, full_name=full_name, role=role)
    except IntegrityError:
        # The unique index decides, also between concurrent registrations.
        raise EmailTaken() from None
    if role == Role.VENDOR:
        vendor_profile_create(user=user, store_name=store)
    else:
        CustomerProfile.objects.create(user=user)
    publish(events.UserRegistered(user_id=user.pk, role=role))
    return user


def email_verify(*, email: str, code: str) -> User:
    """Mark the address verified with its emailed code. An address that is already
    verified has no live code: it is answered like a wrong code, as an unknown one is,
    so the endpoint does not tell who has an account."""
    user = user_get_by_email(email=email)
    if user is not None and user.email_verified:
        user = None
    result = code_check(user=user, purpose=OneTimeCode.Purpose.VERIFY_EMAIL, code=code)
    code_check_raise(result)
    assert user is not None  # noqa: S101 - code_check only says OK for a real user
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
