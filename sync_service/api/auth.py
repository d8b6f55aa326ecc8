"""Bearer JWT authentication for v1 (the same tokens work on v2)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from shared_domain.accounts.selectors import user_for_access_claims
from shared_domain.common import context
from shared_domain.web.bearer import request_access_claims
from shared_domain.web.http import BEARER_CHALLENGE


class JWTAuthentication(BaseAuthentication):
    """Bearer access tokens. A view that shows the user's profiles sets
    `auth_with_profiles = True`: they are loaded with the user, in the same query."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        claims = request_access_claims(request._request)
        if claims is None:
            return None  # no credentials: anonymous, permissions decide
        view = (request.parser_context or {}).get("view")
        with_profiles = bool(getattr(view, "auth_with_profiles", False))
        user = user_for_access_claims(claims=claims, with_profiles=with_profiles)
        context.user_id.set(user.pk)
        return user, claims

    def authenticate_header(self, request: Request) -> str:
        return BEARER_CHALLENGE
