from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    """Inputs refuse unknown fields, as on v1."""

    model_config = ConfigDict(extra="forbid")


class LoginIn(StrictIn):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)


class RefreshIn(StrictIn):
    refresh: str = Field(max_length=2048)


class TokensOut(Schema):
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime


class UserRefOut(Schema):
    id: int
    email: str
    role: str


class LoginOut(TokensOut):
    user: UserRefOut


class CustomerProfileOut(Schema):
    phone: str


class VendorProfileOut(Schema):
    store_name: str
    slug: str
    description: str
    verified: bool
    paystack_subaccount_code: str
    stripe_account_id: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    # A customer's phone (E.164, empty when unset), as v1's PATCH /me takes it; null
    # for vendors and staff.
    phone: str | None
    role: str
    email_verified: bool
    date_joined: datetime
    customer_profile: CustomerProfileOut | None
    vendor_profile: VendorProfileOut | None

    # A missing reverse one-to-one raises on access; absent profiles are null.
    @staticmethod
    def resolve_phone(user: Any) -> str | None:
        profile = getattr(user, "customer_profile", None)
        return None if profile is None else str(profile.phone)

    @staticmethod
    def resolve_customer_profile(user: Any) -> Any:
        return getattr(user, "customer_profile", None)

    @staticmethod
    def resolve_vendor_profile(user: Any) -> Any:
        return getattr(user, "vendor_profile", None)
