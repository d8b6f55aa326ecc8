"""Bearer JWT authentication for v2 (the same tokens as v1), without blocking the
event loop: the user is loaded with the async ORM."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security.http import HttpAuthBase

from shared_domain.accounts.selectors import Account, auser_for_access_claims
from shared_domain.common import context
from shared_domain.common.errors import NotAuthenticated
from shared_domain.web.bearer import request_access_claims


class JWTAuth(HttpAuthBase):
    openapi_scheme = "bearer"
    openapi_bearerFormat = "JWT"

    def __init__(self, *, with_profiles: bool = False) -> None:
        super().__init__()
        self.with_profiles = with_profiles
        self.is_async = True

    async def __call__(self, request: HttpRequest) -> Account | None:
        claims = request_access_claims(request)
        if claims is None:
            return None  # Ninja answers 401 not_authenticated
        user = await auser_for_access_claims(claims=claims, with_profiles=self.with_profiles)
        context.user_id.set(user.pk)
        request.user = user
        return user


jwt_auth = JWTAuth()
# For endpoints that show the user's profiles: loaded with the user, in one query.
jwt_auth_with_profiles = JWTAuth(with_profiles=True)


def current_user(request: HttpRequest) -> Account:
    user: Any = getattr(request, "auth", None)
    if not isinstance(user, Account):
        raise NotAuthenticated()
    return user


async def optional_user(request: HttpRequest) -> Account | None:
    """The caller on endpoints open to anonymous shoppers: None without a token; a bad
    or expired token is still a 401, never silently anonymous."""
    claims = request_access_claims(request)
    if claims is None:
        return None
    user = await auser_for_access_claims(claims=claims)
    context.user_id.set(user.pk)
    return user
