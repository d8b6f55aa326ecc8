"""Profiles and roles: the customer and vendor profiles of an account, edits of the
account's own details, and staff role changes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TypedDict, cast

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.text import slugify

from shared_domain.accounts import events
from shared_domain.accounts.errors import ReauthenticationRequired, StoreNameTaken, WrongPassword
from shared_domain.accounts.models import (
    STORE_NAME_CONSTRAINT,
    CustomerProfile,
    User,
    VendorProfile,
)
from shared_domain.accounts.roles import Role
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import NotFound, PermissionDenied, ValidationFailed
from shared_domain.common.events import publish
from shared_domain.common.integrity import violated_constraint
from shared_domain.common.partial import model_update
from shared_domain.common.text import (
    control_characters_problem,
    phone_normalize,
    phone_problem,
)

PAYOUT_FIELDS = ("paystack_subaccount_code", "stripe_account_id")


def vendor_profile_create(*, user: User, store_name: str) -> VendorProfile:
    """Open the user's store. Store names are unique whatever their case
    (StoreNameTaken); the slug is the name slugified, then `-2`, `-3`… when taken
    (names that differ only in punctuation slug alike): the insert is tried first;
    only a clash looks up the suffixes in use (one query)."""
    base = slugify(store_name)[:120] or "store"
    slug = base
    for _ in range(3):
        try:
            with transaction.atomic():
                return VendorProfile.objects.create(user=user, store_name=store_name, slug=slug)
        except IntegrityError as exc:
            if violated_constraint(exc) == STORE_NAME_CONSTRAINT:
                raise _name_taken() from None
            if VendorProfile.objects.filter(user=user).exists():
                raise  # not the slug: this user already has a store
            slug = _next_free_slug(base)  # taken (maybe concurrently): the next suffix
    return VendorProfile.objects.create(
        user=user, store_name=store_name, slug=f"{base}-{secrets.token_hex(4)}"
    )


def _name_taken() -> StoreNameTaken:
    return StoreNameTaken(details={"store_name": [StoreNameTaken.default_message]})


def _store_name_free(name: str) -> bool:
    """No store has this name in any case (as the unique index on lower(store_name))."""
    return not VendorProfile.objects.filter(
        Exact(Lower("store_name"), Lower(Value(name)))
    ).exists()


def _next_free_slug(base: str) -> str:
    taken = VendorProfile.objects.filter(slug__regex=rf"^{re.escape(base)}-[0-9]+$")
    suffixes = [int(slug.rsplit("-", 1)[1]) for slug in taken.values_list("slug", flat=True)]
    return f"{base}-{max([1, *suffixes]) + 1}"


def user_profile_ensure(*, user: User) -> None:
    """Give the user the profile of their role if they have none yet (accounts made or
    re-roled by staff). Vendors' stores are named after them; they rename it later."""
    if user.role == Role.VENDOR:
        if not VendorProfile.objects.filter(user=user).exists():
            store_name = (user.full_name.strip() or f"Store {user.pk}")[:100]
            if not _store_name_free(store_name):
                store_name = f"{store_name} ({user.pk})"  # another store has the name
            vendor_profile_create(user=user, store_name=store_name)
    elif user.role == Role.CUSTOMER:
        CustomerProfile.objects.get_or_create(user=user)


class UserUpdate(TypedDict, total=False):
    """The fields of an account its owner may change; send only those to change."""

    full_name: str
    phone: str  # customers only, kept on their customer profile


class VendorProfileUpdate(TypedDict, total=False):
    """The fields of a store its vendor may change; send only those to change."""

    store_name: str
    description: str
    paystack_subaccount_code: str
    stripe_account_id: str


USER_FIELDS = ("full_name",)
CUSTOMER_PROFILE_FIELDS = ("phone",)
VENDOR_PROFILE_FIELDS = ("store_name", "description", *PAYOUT_FIELDS)
_PAYOUT_PREFIXES = {"paystack_subaccount_code": "ACCT_", "stripe_account_id": "acct_"}


def user_update(*, user: User, data: UserUpdate) -> User:
    """Change the account's own details. Only the fields in `data` are touched, and
    only those whose value changed are written."""
    if unknown := set(data) - {*USER_FIELDS, *CUSTOMER_PROFILE_FIELDS}:
        raise ValueError(f"not updatable on an account: {sorted(unknown)}")
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if "full_name" in data:
        clean["full_name"] = data["full_name"].strip()
        if not clean["full_name"] or len(clean["full_name"]) > 150:
            errors["full_name"] = ["Use 1 to 150 characters."]
        elif problem := control_characters_problem(clean["full_name"]):
            errors["full_name"] = [problem]
    if "phone" in data:
        # Stored as typed but without spaces, dashes, dots and brackets; empty clears it.
        clean["phone"] = phone_normalize(data["phone"])
        if clean["phone"] and (problem := phone_problem(clean["phone"])):
            errors["phone"] = [problem]
        if not user.is_customer:
            errors["phone"] = ["Only customers have a phone number on their profile."]
    if errors:
        raise ValidationFailed(details=errors)
    with transaction.atomic():
        model_update(
            instance=user,
            fields=USER_FIELDS,
            data={k: v for k, v in clean.items() if k in USER_FIELDS},
        )
        if "phone" in clean:
            # The profile loaded with the user, if it was: the caller sees the change.
            profile = getattr(user, "customer_profile", None)
            if profile is None:
                profile, _ = CustomerProfile.objects.get_or_create(user=user)
            model_update(
                instance=profile, fields=CUSTOMER_PROFILE_FIELDS, data={"phone": clean["phone"]}
            )
    return user


def vendor_profile_update(
    *, user: User, data: VendorProfileUpdate, current_password: str | None = None
) -> VendorProfile:
    """Change the vendor's store. Only the fields in `data` are touched. A real change
    of payout ids needs the account's current password (ReauthenticationRequired
    without it, WrongPassword when it is wrong): a stolen access token alone cannot
    redirect a store's money. Such a change is audited and the vendor is emailed a
    notice; a refused attempt is audited too."""
    if not user.is_vendor:
        raise PermissionDenied("Only vendors have a vendor profile.")
    if unknown := set(data) - set(VENDOR_PROFILE_FIELDS):
        raise ValueError(f"not updatable on a vendor profile: {sorted(unknown)}")
    sent = cast("Mapping[str, str]", data)  # every field of VendorProfileUpdate is a str
    clean = {name: value.strip() for name, value in sent.items()}
    errors: dict[str, list[str]] = {}
    if "store_name" in clean:
        if not 0 < len(clean["store_name"]) <= 120:
            errors["store_name"] = ["Use 1 to 120 characters."]
        elif problem := control_characters_problem(clean["store_name"]):
            errors["store_name"] = [problem]
    for field, prefix in _PAYOUT_PREFIXES.items():
        value = clean.get(field, "")
        if value and (not value.startswith(prefix) or len(value) > 64 or not value.isascii()):
            errors[field] = [f"Expected an id starting with {prefix}."]
    if errors:
        raise ValidationFailed(details=errors)
    current = VendorProfile.objects.filter(user=user).first()
    if current is None:
        raise NotFound("This account has no vendor profile.")
    reauthenticated = False
    if _payout_changes(current, clean):
        # Checked before the transaction so that a refusal's audit row is kept.
        _reauthenticate(user=user, profile=current, current_password=current_password)
        reauthenticated = True
    try:
        with transaction.atomic():
            profile = VendorProfile.objects.select_for_update().get(pk=current.pk)
            if _payout_changes(profile, clean) and not reauthenticated:
                # Changed by another request since it was read: check now (refusal
                # unaudited, as it rolls back; the client simply retries).
                _reauthenticate(user=user, profile=profile, current_password=current_password)
            changed = model_update(instance=profile, fields=VENDOR_PROFILE_FIELDS, data=clean)
            if payout_changed := [field for field in PAYOUT_FIELDS if field in changed]:
                audit_record(
                    action="vendor_payout_changed",
                    actor_id=user.pk,
                    subject=profile,
                    data={"fields": payout_changed},
                )
                changed_ids = ",".join(payout_changed)
                publish(events.VendorPayoutChanged(user_id=user.pk, fields=changed_ids))
    except IntegrityError as exc:
        if violated_constraint(exc) != STORE_NAME_CONSTRAINT:
            raise
        # The name is another store's, whatever its case (the constraint decides,
        # concurrent renames included).
        raise _name_taken() from None
    return profile


def _payout_changes(profile: VendorProfile, clean: Mapping[str, str]) -> list[str]:
    return [f for f in PAYOUT_FIELDS if f in clean and clean[f] != getattr(profile, f)]


def _reauthenticate(*, user: User, profile: VendorProfile, current_password: str | None) -> None:
    if not current_password:
        audit_record(
            action="vendor_payout_change_refused",
            actor_id=user.pk,
            subject=profile,
            data={"reason": "no_password"},
        )
        raise ReauthenticationRequired(
            details={"current_password": ["Required to change payout details."]}
        )
    if not user.check_password(current_password):
        audit_record(
            action="vendor_payout_change_refused",
            actor_id=user.pk,
            subject=profile,
            data={"reason": "wrong_password"},
        )
        raise WrongPassword(details={"current_password": [WrongPassword.default_message]})


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
