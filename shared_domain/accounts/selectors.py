"""Reads of the accounts context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet

from shared_domain.accounts import tokens
from shared_domain.accounts.emails import normalize_email
from shared_domain.accounts.errors import AccountDisabled, InvalidToken, TokenRevoked
from shared_domain.accounts.models import User, VendorProfile
from shared_domain.common.asyncdb import run_db
from shared_domain.common.prepared import AnyOf, PreparedRows

# What other layers call an account, in annotations and isinstance checks: the APIs
# import no models, and never query through this.
Account = User
# Likewise a vendor's store (its VendorProfile).
Store = VendorProfile


def user_get_by_email(*, email: str, active_only: bool = False) -> User | None:
    users = User.objects.filter(email=normalize_email(email))
    if active_only:
        users = users.filter(is_active=True)
    return users.first()


def vendor_profile_get(*, user: User) -> VendorProfile | None:
    return VendorProfile.objects.filter(user=user).first()


def vendor_profile_id_for_user(*, user: User) -> int | None:
    """The id of the user's vendor profile (None: they have none). No query when the
    profile was loaded with the user."""
    profile = getattr(user, "vendor_profile", None)
    return None if profile is None else int(profile.pk)


def vendor_profile_id_find(*, pk: int | None = None, slug: str | None = None) -> int | None:
    """The id of the vendor profile with this id, or else this store slug (None: no
    such vendor)."""
    if pk is None and not slug:
        return None
    lookup = Q(pk=pk) if pk is not None else Q(slug=slug)
    found = VendorProfile.objects.filter(lookup).values_list("pk", flat=True).first()
    return None if found is None else int(found)


def store_owner_email_verified(*, vendor_id: int) -> bool:
    """Whether the account that owns this store has confirmed its email address."""
    return VendorProfile.objects.filter(pk=vendor_id, user__email_verified=True).exists()


def vendor_card_annotations(*, via: str) -> dict[str, F]:
    """What a vendor card shows, as annotations of rows that point at a vendor profile
    through the relation `via` ("vendor"): `vendor_card_name`, `vendor_card_slug`,
    `vendor_card_verified`, joined in the query of those rows."""
    return {
        "vendor_card_name": F(f"{via}__store_name"),
        "vendor_card_slug": F(f"{via}__slug"),
        "vendor_card_verified": F(f"{via}__verified"),
    }


def vendor_profile_names() -> QuerySet[VendorProfile, Any]:
    """Rows of `id` and `store_name` of every vendor, to join into a report's SQL
    (e.g. as a CTE) instead of naming this context's table."""
    return VendorProfile.objects.order_by().values("id", "store_name")


def _users(*, with_profiles: bool) -> QuerySet[User]:
    # Absent profiles come back as None (getattr with a default), in the same query.
    users = User.objects.all()
    return users.select_related("customer_profile", "vendor_profile") if with_profiles else users


def _check(user: User | None, claims: tokens.Claims) -> User:
    if user is None:
        raise InvalidToken("The token's user no longer exists.")
    if not user.is_active:
        raise AccountDisabled()
    if user.token_version != claims.version:
        raise TokenRevoked()
    return user


# Every authenticated request reads its user by id: the SQL is built once per process.
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER_ROWS = PreparedRows(
    lambda ids: User.objects.filter(AnyOf(F("pk"), ids)).order_by().values_list(*_USER_FIELDS)
)


def _user_by_id(user_id: int) -> User | None:
    rows = _USER_ROWS.rows([user_id])
    # The columns need no conversion (text, numbers, booleans, datetimes).
    return User.from_db("default", _USER_FIELDS, rows[0]) if rows else None


def user_for_access_claims(*, claims: tokens.Claims, with_profiles: bool = False) -> User:
    """The user verified access-token claims speak for: existing, active and not
    logged out everywhere since. Raises a 401 error. `with_profiles` loads the customer
    and vendor profiles in the same query."""
    if with_profiles:
        user = _users(with_profiles=True).filter(pk=claims.user_id).first()
    else:
        user = _user_by_id(claims.user_id)
    return _check(user, claims)


async def auser_for_access_claims(*, claims: tokens.Claims, with_profiles: bool = False) -> User:
    # On a pool thread whose connection goes back at once: Django's async ORM would
    # keep a connection per concurrent request until the request ends.
    return await run_db(user_for_access_claims, claims=claims, with_profiles=with_profiles)


def user_for_access_token(*, token: str) -> User:
    """user_for_access_claims of a raw token (signature, expiry and type checked)."""
    return user_for_access_claims(claims=tokens.decode(token, expected_type=tokens.ACCESS))


@dataclass(frozen=True)
class StoreTerms:
    """What an order needs of a vendor's store: its name and the platform's rate."""

    vendor_id: int
    name: str
    commission_rate: Decimal


def store_terms(*, vendor_ids: Iterable[int]) -> dict[int, StoreTerms]:
    """Name and commission rate (the store's own, else MARKETPLACE_COMMISSION_RATE)
    of each vendor, in one query."""
    default = Decimal(settings.MARKETPLACE_COMMISSION_RATE)
    rows = VendorProfile.objects.filter(pk__in=set(vendor_ids)).values_list(
        "pk", "store_name", "commission_rate"
    )
    return {
        pk: StoreTerms(
            vendor_id=pk, name=name, commission_rate=rate if rate is not None else default
        )
        for pk, name, rate in rows
    }


@dataclass(frozen=True)
class PayoutAccounts:
    """Where a store's share of a charge can be routed by the provider itself."""

    vendor_id: int
    paystack_subaccount_code: str
    stripe_account_id: str


def payout_accounts(*, vendor_ids: Iterable[int]) -> dict[int, PayoutAccounts]:
    rows = VendorProfile.objects.filter(pk__in=set(vendor_ids)).values_list(
        "pk", "paystack_subaccount_code", "stripe_account_id"
    )
    return {pk: PayoutAccounts(pk, paystack or "", stripe or "") for pk, paystack, stripe in rows}


def store_names(*, vendor_ids: Iterable[int]) -> dict[int, str]:
    rows = VendorProfile.objects.filter(pk__in=set(vendor_ids)).values_list("pk", "store_name")
    return dict(rows)


def store_owner(*, vendor_id: int) -> User:
    """The account that runs a store (NotFound-free: the store must exist)."""
    return User.objects.get(vendor_profile__pk=vendor_id)
