"""Bearer JWT authentication for v2 (the same tokens as v1), without blocking the
event loop: the user is loaded with the async ORM. Role checks for routers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from shared_domain.accounts.models import User
from shared_domain.accounts.selectors import auser_for_access_token
from shared_domain.common import context
from shared_domain.common.errors import NotAuthenticated, PermissionDenied


class JWTAuth(HttpBearer):
    async def authenticate(self, request: HttpRequest, token: str) -> User:
        user = await auser_for_access_token(token=token.strip())
        context.user_id.set(user.pk)
        request.user = user
        return user


jwt_auth = JWTAuth()


def current_user(request: HttpRequest) -> User:
    user: Any = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def require_vendor(request: HttpRequest) -> User:
    user = current_user(request)
    if not user.is_vendor:
        raise PermissionDenied("Only vendors can do this.")
    return user


def require_customer(request: HttpRequest) -> User:
    user = current_user(request)
    if not user.is_customer:
        raise PermissionDenied("Only customers can do this.")
    return user


def require_staff(request: HttpRequest) -> User:
    user = current_user(request)
    if not user.is_platform_staff:
        raise PermissionDenied("Only staff can do this.")
    return user
