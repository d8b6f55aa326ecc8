"""Profiles and roles: the customer and vendor profiles of an account, edits of the
account's own details, and staff role changes."""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from shared_domain.accounts.models import CustomerProfile, User, VendorProfile
from shared_domain.accounts.roles import Role
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import NotFound, PermissionDenied, ValidationFailed
from shared_domain.common.partial import UNSET

PAYOUT_FIELDS = ("paystack_subaccount_code", "stripe_account_id")


def vendor_profile_create(*, user: User, store_name: str) -> VendorProfile:
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
    if user.role == Role.VENDOR:
        if not VendorProfile.objects.filter(user=user).exists():
            store_name = (user.full_name.strip() or f"Store {user.pk}")[:120]
            vendor_profile_create(user=user, store_name=store_name)
    elif user.role == Role.CUSTOMER:
        CustomerProfile.objects.get_or_create(user=user)


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
    if role not in Role.values:
        raise ValidationFailed(details={"role": [f"Choose one of {', '.join(Role.values)}."]})
    with transaction.atomic():
        before = user.role
        user.role = role
        user.save(update_fields=["role"])
        user_profile_ensure(user=user)
        audit_record(
            action="role_changed", actor_id=by.pk, subject=user, data={"from": before, "to": role}
        )
    return user
