"""v1 account endpoints: registration, email verification, sign-in, tokens, passwords,
the current user and the vendor profile."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.accounts import services
from shared_domain.accounts.models import normalize_email
from shared_domain.accounts.selectors import user_get_profile, vendor_profile_get
from shared_domain.common import context
from shared_domain.common.errors import NotFound
from shared_domain.common.throttling import enforce
from sync_service.api.accounts import serializers as s
from sync_service.api.permissions import IsVendor, current_user
from sync_service.api.schema import errors

SENT = "If an account with that email can receive it, a code is on its way."


def _per_email_and_ip(email: str) -> str:
    return f"{normalize_email(email)}|{context.client_ip.get() or 'unknown'}"


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    return data


def _tokens(pair: services.TokenPair) -> dict[str, Any]:
    return {
        "access": pair.access,
        "refresh": pair.refresh,
        "access_expires_at": pair.access_expires_at,
        "refresh_expires_at": pair.refresh_expires_at,
    }


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
                e400="validation_error, malformed_json", e409="email_taken", e429="throttled"
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Create a customer or vendor account. A 6-digit verification code is emailed."""
        data = _valid(s.RegisterIn, request)
        enforce("register", context.client_ip.get() or "unknown")
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
        data = _valid(s.EmailCodeIn, request)
        enforce("code", _per_email_and_ip(data["email"]))
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
        data = _valid(s.EmailIn, request)
        enforce("resend", _per_email_and_ip(data["email"]))
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
        data = _valid(s.LoginIn, request)
        enforce("login", _per_email_and_ip(data["email"]))
        signed_in = services.session_login(email=data["email"], password=data["password"])
        user = signed_in.user
        return Response(
            {
                **_tokens(signed_in.tokens),
                "user": {"id": user.pk, "email": user.email, "role": user.role},
            }
        )


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
        data = _valid(s.RefreshIn, request)
        enforce("refresh", context.client_ip.get() or "unknown")
        return Response(_tokens(services.token_refresh(refresh_token=data["refresh"])))


class LogoutApi(_Public):
    @extend_schema(
        tags=["auth"],
        request=s.RefreshIn,
        responses={204: None, **errors(e400="validation_error", e401="invalid_token")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """End the session of this refresh token (and every token rotated from it)."""
        data = _valid(s.RefreshIn, request)
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
        data = _valid(s.EmailIn, request)
        enforce("password_reset", _per_email_and_ip(data["email"]))
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
        data = _valid(s.PasswordResetConfirmIn, request)
        enforce("code", _per_email_and_ip(data["email"]))
        services.password_reset_confirm(**data)
        return Response({"detail": "Password changed. Sign in with the new password."})


class MeApi(APIView):
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
        return Response(s.MeOut(user_get_profile(user_id=current_user(request).pk)).data)

    @extend_schema(
        tags=["me"],
        request=s.MePatchIn,
        responses={200: s.MeOut, **errors(e400="validation_error", e401="not_authenticated")},
    )
    def patch(self, request: Request) -> Response:
        """Update your name (and phone, for customers)."""
        data = _valid(s.MePatchIn, request)
        services.user_update(user=current_user(request), **data)
        return Response(s.MeOut(user_get_profile(user_id=current_user(request).pk)).data)


class MePasswordApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["me"],
        request=s.PasswordChangeIn,
        responses={
            200: s.TokensOut,
            **errors(e400="wrong_password, validation_error", e401="not_authenticated"),
        },
    )
    def post(self, request: Request) -> Response:
        """Change your password. Other sessions end; fresh tokens for this one."""
        data = _valid(s.PasswordChangeIn, request)
        pair = services.password_change(user=current_user(request), **data)
        return Response(_tokens(pair))


class VendorProfileApi(APIView):
    permission_classes = (IsVendor,)

    @extend_schema(
        tags=["vendor"],
        responses={
            200: s.VendorProfileOut,
            **errors(e401="not_authenticated", e403="permission_denied"),
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
            **errors(e400="validation_error", e401="not_authenticated", e403="permission_denied"),
        },
    )
    def patch(self, request: Request) -> Response:
        """Update your store name, description or payout ids (payout changes are audited)."""
        data = _valid(s.VendorProfilePatchIn, request)
        profile = services.vendor_profile_update(user=current_user(request), **data)
        return Response(s.VendorProfileOut(profile).data)
