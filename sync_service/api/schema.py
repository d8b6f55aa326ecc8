"""OpenAPI glue: how drf-spectacular describes our authentication and error bodies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from sync_service.api.schemas import ErrorSerializer


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "sync_service.api.auth.JWTAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def errors(**codes_by_status: str) -> dict[int, OpenApiResponse]:
    """Document error responses: errors(e400="validation_error, malformed_json", ...)."""
    return {
        int(status.removeprefix("e")): OpenApiResponse(
            ErrorSerializer, description=f"Error body; `error.code`: {codes}"
        )
        for status, codes in codes_by_status.items()
    }
