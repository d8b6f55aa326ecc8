"""Reads of the accounts context."""

from __future__ import annotations

from shared_domain.accounts import tokens
from shared_domain.accounts.errors import AccountDisabled, InvalidToken, TokenRevoked
from shared_domain.accounts.models import User, VendorProfile, normalize_email


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=normalize_email(email)).first()


def user_get_profile(*, user_id: int) -> User:
    """A user with both profiles loaded in one query (absent ones are None)."""
    return User.objects.select_related("customer_profile", "vendor_profile").get(pk=user_id)


def vendor_profile_get(*, user: User) -> VendorProfile | None:
    return VendorProfile.objects.filter(user=user).first()


def _check(user: User | None, claims: tokens.Claims) -> User:
    if user is None:
        raise InvalidToken("The token's user no longer exists.")
    if not user.is_active:
        raise AccountDisabled()
    if user.token_version != claims.version:
        raise TokenRevoked()
    return user


def user_for_access_token(*, token: str) -> User:
    """The user an access token speaks for: signature, expiry and type checked, the
    user existing, active and not logged out everywhere since. Raises a 401 error."""
    claims = tokens.decode(token, expected_type=tokens.ACCESS)
    return _check(User.objects.filter(pk=claims.user_id).first(), claims)


async def auser_for_access_token(*, token: str) -> User:
    claims = tokens.decode(token, expected_type=tokens.ACCESS)
    return _check(await User.objects.filter(pk=claims.user_id).afirst(), claims)
