"""Bearer JWT authentication for v1 (the same tokens work on v2)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from shared_domain.accounts.errors import InvalidToken
from shared_domain.accounts.selectors import user_for_access_token
from shared_domain.common import context
from shared_domain.common.http import BEARER_CHALLENGE


class JWTAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, str] | None:
        header = get_authorization_header(request).decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None  # no credentials: anonymous, permissions decide
        token = token.strip()
        if not token or " " in token:
            raise InvalidToken("Send the header as 'Authorization: Bearer <token>'.")
        user = user_for_access_token(token=token)
        context.user_id.set(user.pk)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return BEARER_CHALLENGE
