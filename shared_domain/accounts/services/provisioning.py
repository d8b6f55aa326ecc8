"""Accounts created by operators rather than by sign-up (demo data, staff tooling):
verified from the start, no email sent, and idempotent by email."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from shared_domain.accounts.emails import normalize_email
from shared_domain.accounts.models import CustomerProfile, User, VendorProfile
from shared_domain.accounts.roles import Role
from shared_domain.common.errors import Conflict


@transaction.atomic
def account_provision(
    *,
    email: str,
    password_hash: str,
    role: str,
    full_name: str,
    store_name: str = "",
    store_verified: bool = False,
    superuser: bool = False,
) -> User:
    """Get or create a verified account with its profile (a vendor's store named
    `store_name`). `password_hash` is already hashed (`make_password`), so seeding
    many accounts hashes once. Existing accounts are returned unchanged; one with
    another role is a Conflict."""
    user, _ = User.objects.get_or_create(
        email=normalize_email(email),
        defaults={
            "full_name": full_name,
            "role": role,
            "email_verified": True,
            "password": password_hash,
            "is_staff": superuser or role == Role.STAFF,
            "is_superuser": superuser,
        },
    )
    if user.role != role:
        raise Conflict(
            f"{user.email} already has an account as {user.role}, not {role}.",
            details={"email": user.email, "role": user.role},
        )
    if role == Role.VENDOR:
        VendorProfile.objects.get_or_create(
            user=user,
            defaults={
                "store_name": store_name,
                "slug": slugify(store_name),
                "verified": store_verified,
            },
        )
    elif role == Role.CUSTOMER:
        CustomerProfile.objects.get_or_create(user=user)
    return user


def password_hash(raw: str) -> str:
    return make_password(raw)
