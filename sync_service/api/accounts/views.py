"""v1 account endpoints: registration, email verification, sign-in, tokens, passwords,
the current user and the vendor profile."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.accounts import services
from shared_domain.accounts.selectors import vendor_profile_get
from shared_domain.common.errors import NotFound
from shared_domain.web.throttles import (
    login_limit,
    login_succeeded,
    per_email_and_client,
    per_user,
)
from shared_domain.web.throttling import client_ident, enforce
from sync_service.api.accounts import serializers as s
from sync_service.api.permissions import IsVendor, current_user
from sync_service.api.schema import errors
from sync_service.api.strict import validated

SENT = "If an account with that email can receive it, a code is on its way."


class _Public(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)


class RegisterApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.RegisterIn,
        responses={
            201: s.UserBriefOut,
            **errors(
                e400="validation_error, malformed_json",
                e409="email_taken, store_name_taken",
                e429="throttled",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Create a customer or vendor account. A 6-digit verification code is emailed."""
        data = validated(s.RegisterIn, request.data)
        enforce("register", client_ident())
        user = services.user_register(**data)
        return Response(s.UserBriefOut(user).data, status=status.HTTP_201_CREATED)


class VerifyEmailApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.EmailCodeIn,
        responses={
            200: s.UserBriefOut,
            **errors(e400="invalid_code, validation_error", e429="too_many_attempts, throttled"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Confirm the email address with the emailed code (5 attempts, 10 minutes)."""
        data = validated(s.EmailCodeIn, request.data)
        enforce("code", per_email_and_client(data["email"]))
        user = services.email_verify(email=data["email"], code=data["code"])
        return Response(s.UserBriefOut(user).data)


class ResendCodeApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.EmailIn,
        responses={200: s.DetailOut, **errors(e400="validation_error", e429="throttled")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Email a new verification code (the previous one stops working)."""
        data = validated(s.EmailIn, request.data)
        enforce("resend", per_email_and_client(data["email"]))
        services.verification_code_resend(email=data["email"])
        return Response({"detail": SENT})


class LoginApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.LoginIn,
        responses={
            200: s.LoginOut,
            **errors(e400="validation_error", e401="invalid_credentials", e429="throttled"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Sign in: an access token (15 min) and a refresh token (7 days, rotating)."""
        data = validated(s.LoginIn, request.data)
        login_limit(email=data["email"])
        signed_in = services.session_login(email=data["email"], password=data["password"])
        login_succeeded(email=data["email"])
        return Response(s.LoginOut(signed_in).data)


class RefreshApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.RefreshIn,
        responses={
            200: s.TokensOut,
            **errors(
                e400="validation_error",
                e401="invalid_token, token_expired, token_revoked (replaying a used token "
                "ends the session)",
                e429="throttled",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Trade a refresh token for a new pair; the old refresh token stops working."""
        data = validated(s.RefreshIn, request.data)
        enforce("refresh", client_ident())
        pair = services.token_refresh(refresh_token=data["refresh"])
        return Response(s.TokensOut(pair).data)


class LogoutApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.RefreshIn,
        responses={204: None, **errors(e400="validation_error", e401="invalid_token")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """End the session of this refresh token (and every token rotated from it)."""
        data = validated(s.RefreshIn, request.data)
        services.token_revoke(refresh_token=data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.EmailIn,
        responses={200: s.DetailOut, **errors(e400="validation_error", e429="throttled")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Email a password reset code. Answers the same whether or not the account exists."""
        data = validated(s.EmailIn, request.data)
        enforce("password_reset", per_email_and_client(data["email"]))
        services.password_reset_request(email=data["email"])
        return Response({"detail": SENT})


class PasswordResetConfirmApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.PasswordResetConfirmIn,
        responses={
            200: s.DetailOut,
            **errors(e400="invalid_code, validation_error", e429="too_many_attempts, throttled"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Set a new password with the emailed code. Every session is signed out."""
        data = validated(s.PasswordResetConfirmIn, request.data)
        enforce("code", per_email_and_client(data["email"]))
        services.password_reset_confirm(**data)
        return Response({"detail": "Password changed. Sign in with the new password."})


class MeApi(APIView):
    auth_with_profiles = True  # /me shows them: loaded with the user
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["me"],
        responses={
            200: s.MeOut,
            **errors(e401="not_authenticated, invalid_token, token_expired, token_revoked"),
        },
    )
    def get(self, request: Request) -> Response:
        """The signed-in user, with their customer or vendor profile."""
        return Response(s.MeOut(current_user(request)).data)

    @extend_schema(
        tags=["me"],
        request=s.MePatchIn,
        responses={200: s.MeOut, **errors(e400="validation_error", e401="not_authenticated")},
    )
    def patch(self, request: Request) -> Response:
        """Update your name (and phone, for customers)."""
        # The serializer checked the shape: only UserUpdate's fields, as strings.
        data = cast(services.UserUpdate, validated(s.MePatchIn, request.data))
        return Response(s.MeOut(services.user_update(user=current_user(request), data=data)).data)


class MePasswordApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["me"],
        request=s.PasswordChangeIn,
        responses={
            200: s.TokensOut,
            **errors(
                e400="wrong_password, validation_error",
                e401="not_authenticated",
                e429="throttled",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Change your password. Other sessions end; fresh tokens for this one."""
        user = current_user(request)
        data = validated(s.PasswordChangeIn, request.data)
        enforce("password_change", per_user(user.pk))
        pair = services.password_change(user=user, **data)
        return Response(s.TokensOut(pair).data)


class VendorProfileApi(APIView):
    permission_classes = (IsVendor,)

    @extend_schema(
        tags=["vendor"],
        responses={
            200: s.VendorProfileOut,
            **errors(e401="not_authenticated", e403="permission_denied", e404="not_found"),
        },
    )
    def get(self, request: Request) -> Response:
        """Your store: name, slug, verification, payout ids."""
        profile = vendor_profile_get(user=current_user(request))
        if profile is None:
            raise NotFound("This account has no vendor profile.")
        return Response(s.VendorProfileOut(profile).data)

    @extend_schema(
        tags=["vendor"],
        request=s.VendorProfilePatchIn,
        responses={
            200: s.VendorProfileOut,
            **errors(
                e400="validation_error, wrong_password",
                e401="not_authenticated",
                e403="permission_denied, reauthentication_required",
                e404="not_found",
                e409="store_name_taken",
                e429="throttled",
            ),
        },
    )
    def patch(self, request: Request) -> Response:
        """Update your store name, description or payout ids. Changing a payout id needs
        `current_password` (403 reauthentication_required without it); the change is
        audited and emailed to you."""
        user = current_user(request)
        data = validated(s.VendorProfilePatchIn, request.data)
        current_password = data.pop("current_password", None)
        if current_password is not None:
            # Password guesses count with those of the password change.
            enforce("password_change", per_user(user.pk))
        # The serializer checked the shape: only VendorProfileUpdate's fields, as strings.
        profile = services.vendor_profile_update(
            user=user,
            data=cast(services.VendorProfileUpdate, data),
            current_password=current_password,
        )
        return Response(s.VendorProfileOut(profile).data)
