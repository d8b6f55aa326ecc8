"""Reads of the accounts context."""

from __future__ import annotations

from django.db.models import QuerySet

from shared_domain.accounts import tokens
from shared_domain.accounts.errors import AccountDisabled, InvalidToken, TokenRevoked
from shared_domain.accounts.models import User, VendorProfile, normalize_email

# What other layers call an account, in annotations and isinstance checks: the APIs
# import no models, and never query through this.
Account = User


def user_get_by_email(*, email: str, active_only: bool = False) -> User | None:
    users = User.objects.filter(email=normalize_email(email))
    if active_only:
        users = users.filter(is_active=True)
    return users.first()


def vendor_profile_get(*, user: User) -> VendorProfile | None:
    return VendorProfile.objects.filter(user=user).first()


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


def user_for_access_claims(*, claims: tokens.Claims, with_profiles: bool = False) -> User:
    """The user verified access-token claims speak for: existing, active and not
    logged out everywhere since. Raises a 401 error. `with_profiles` loads the customer
    and vendor profiles in the same query."""
    return _check(_users(with_profiles=with_profiles).filter(pk=claims.user_id).first(), claims)


async def auser_for_access_claims(*, claims: tokens.Claims, with_profiles: bool = False) -> User:
    user = await _users(with_profiles=with_profiles).filter(pk=claims.user_id).afirst()
    return _check(user, claims)


def user_for_access_token(*, token: str) -> User:
    """user_for_access_claims of a raw token (signature, expiry and type checked)."""
    return user_for_access_claims(claims=tokens.decode(token, expected_type=tokens.ACCESS))
