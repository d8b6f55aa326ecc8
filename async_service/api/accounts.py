"""v2 account endpoints: sign-in, token refresh, the current user. Same services,
same tokens and same errors as v1."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from async_service.api.accounts_schemas import LoginIn, LoginOut, MeOut, RefreshIn, TokensOut
from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth_with_profiles
from shared_domain.accounts import services
from shared_domain.accounts.selectors import Account
from shared_domain.common.asyncdb import run_db
from shared_domain.web.throttles import alogin_limit, alogin_succeeded
from shared_domain.web.throttling import aenforce, client_ident

router = Router(tags=["auth"])


@router.post(
    "/auth/login",
    response={200: LoginOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    operation_id="v2_auth_login",
)
async def login(request: HttpRequest, payload: LoginIn) -> services.SignIn:
    """Sign in: access token (15 min) + refresh token (7 days, rotating). 401
    `invalid_credentials` for a wrong password or unknown email alike."""
    await alogin_limit(email=payload.email)
    signed_in = await run_db(
        services.session_login, email=payload.email, password=payload.password
    )
    await alogin_succeeded(email=payload.email)
    return signed_in


@router.post(
    "/auth/refresh",
    response={200: TokensOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    operation_id="v2_auth_refresh",
)
async def refresh(request: HttpRequest, payload: RefreshIn) -> services.TokenPair:
    """Trade a refresh token for a new pair. 401 `invalid_token`, `token_expired` or
    `token_revoked` (replaying a used token ends that session)."""
    await aenforce("refresh", client_ident())
    return await run_db(services.token_refresh, refresh_token=payload.refresh)


me_router = Router(tags=["me"])


@me_router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    auth=jwt_auth_with_profiles,
    operation_id="v2_me",
)
async def me(request: HttpRequest) -> Account:
    """The signed-in user with their customer or vendor profile."""
    return current_user(request)
