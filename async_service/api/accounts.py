"""v2 account endpoints: sign-in, token refresh, the current user. Same services,
same tokens and same errors as v1."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from ninja import Router

from async_service.api.accounts_schemas import LoginIn, LoginOut, MeOut, RefreshIn, TokensOut
from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth
from shared_domain.accounts import services
from shared_domain.accounts.models import User, normalize_email
from shared_domain.common import context
from shared_domain.common.throttling import aenforce

router = Router(tags=["auth"])


def _tokens(pair: services.TokenPair) -> dict[str, Any]:
    return {
        "access": pair.access,
        "refresh": pair.refresh,
        "access_expires_at": pair.access_expires_at,
        "refresh_expires_at": pair.refresh_expires_at,
    }


@router.post(
    "/auth/login",
    response={200: LoginOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    operation_id="v2_auth_login",
)
async def login(request: HttpRequest, payload: LoginIn) -> dict[str, Any]:
    """Sign in: access token (15 min) + refresh token (7 days, rotating). 401
    `invalid_credentials` for a wrong password or unknown email alike."""
    await aenforce("login", f"{normalize_email(payload.email)}|{context.client_ip.get()}")
    signed_in = await sync_to_async(services.session_login)(
        email=payload.email, password=payload.password
    )
    user = signed_in.user
    return {
        **_tokens(signed_in.tokens),
        "user": {"id": user.pk, "email": user.email, "role": user.role},
    }


@router.post(
    "/auth/refresh",
    response={200: TokensOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    operation_id="v2_auth_refresh",
)
async def refresh(request: HttpRequest, payload: RefreshIn) -> dict[str, Any]:
    """Trade a refresh token for a new pair. 401 `invalid_token`, `token_expired` or
    `token_revoked` (replaying a used token ends that session)."""
    await aenforce("refresh", context.client_ip.get() or "unknown")
    pair = await sync_to_async(services.token_refresh)(refresh_token=payload.refresh)
    return _tokens(pair)


me_router = Router(tags=["me"])


@me_router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=jwt_auth, operation_id="v2_me")
async def me(request: HttpRequest) -> User:
    """The signed-in user with their customer or vendor profile."""
    user = current_user(request)
    return await User.objects.select_related("customer_profile", "vendor_profile").aget(pk=user.pk)
