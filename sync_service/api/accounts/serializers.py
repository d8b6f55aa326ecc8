"""Shapes of the v1 account endpoints (rules live in shared_domain.accounts.services)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_domain.accounts.roles import SELF_SERVICE_ROLES
from shared_domain.accounts.selectors import Account
from sync_service.api.strict import StrictSerializer

CODE_FIELD = {"min_length": 6, "max_length": 6}


class RegisterIn(StrictSerializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    full_name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=[role.value for role in SELF_SERVICE_ROLES])
    store_name = serializers.CharField(max_length=120, required=False, allow_blank=True)


class UserBriefOut(serializers.Serializer[Account]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    email_verified = serializers.BooleanField()


class EmailCodeIn(StrictSerializer):
    email = serializers.CharField(max_length=254)
    code = serializers.RegexField(
        r"^\d{6}$", error_messages={"invalid": "Enter the 6-digit code."}
    )


class EmailIn(StrictSerializer):
    email = serializers.CharField(max_length=254)


class LoginIn(StrictSerializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshIn(StrictSerializer):
    refresh = serializers.CharField(max_length=2048)


class PasswordResetConfirmIn(StrictSerializer):
    email = serializers.CharField(max_length=254)
    code = serializers.RegexField(
        r"^\d{6}$", error_messages={"invalid": "Enter the 6-digit code."}
    )
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordChangeIn(StrictSerializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokensOut(serializers.Serializer[Any]):
    access = serializers.CharField()
    refresh = serializers.CharField()
    access_expires_at = serializers.DateTimeField()
    refresh_expires_at = serializers.DateTimeField()


class UserRefOut(serializers.Serializer[Account]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()


class LoginOut(TokensOut):
    user = UserRefOut()


class DetailOut(serializers.Serializer[Any]):
    detail = serializers.CharField()


class CustomerProfileOut(serializers.Serializer[Any]):
    phone = serializers.CharField()


class VendorProfileOut(serializers.Serializer[Any]):
    store_name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    verified = serializers.BooleanField()
    paystack_subaccount_code = serializers.CharField()
    stripe_account_id = serializers.CharField()


class MeOut(serializers.Serializer[Account]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    phone = serializers.SerializerMethodField(
        help_text="A customer's phone (E.164, empty when unset), as PATCH takes it; "
        "null for vendors and staff."
    )
    role = serializers.CharField()
    email_verified = serializers.BooleanField()
    date_joined = serializers.DateTimeField()
    customer_profile = serializers.SerializerMethodField()
    vendor_profile = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, user: Account) -> str | None:
        profile = getattr(user, "customer_profile", None)
        return None if profile is None else str(profile.phone)

    @extend_schema_field(CustomerProfileOut(allow_null=True))
    def get_customer_profile(self, user: Account) -> dict[str, Any] | None:
        profile = getattr(user, "customer_profile", None)
        return None if profile is None else {"phone": profile.phone}

    @extend_schema_field(VendorProfileOut(allow_null=True))
    def get_vendor_profile(self, user: Account) -> dict[str, Any] | None:
        profile = getattr(user, "vendor_profile", None)
        return None if profile is None else VendorProfileOut(profile).data


class MePatchIn(StrictSerializer):
    full_name = serializers.CharField(max_length=150, required=False)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)


class VendorProfilePatchIn(StrictSerializer):
    store_name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    paystack_subaccount_code = serializers.CharField(
        max_length=64, required=False, allow_blank=True
    )
    stripe_account_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    current_password = serializers.CharField(
        max_length=128,
        required=False,
        write_only=True,
        trim_whitespace=False,  # as every password field: spaces are part of it
        help_text="Your password: required when the payout ids change.",
    )
