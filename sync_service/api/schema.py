"""OpenAPI glue: how drf-spectacular describes our authentication and error bodies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field

from shared_domain.web.openapi import complete_operations
from sync_service.api.schemas import ErrorSerializer
from sync_service.api.strict import StrictSerializer


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "sync_service.api.auth.JWTAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def documented[F](field: F, schema: dict[str, Any]) -> F:
    """`field`, validating as before, with `schema` as its OpenAPI description: the
    limits or choices a service enforces after the serializer (with its own message),
    stated in the contract so that clients know them before sending."""
    # On a class of its own: DRF copies declared fields by instantiating their class again.
    base = type(field)
    field.__class__ = extend_schema_field(schema)(type(f"Documented{base.__name__}", (base,), {}))
    return field


def errors(**codes_by_status: str) -> dict[int, OpenApiResponse]:
    """Document error responses: errors(e400="validation_error, malformed_json", ...)."""
    return {
        int(status.removeprefix("e")): OpenApiResponse(
            ErrorSerializer, description=f"Error body; `error.code`: {codes}"
        )
        for status, codes in codes_by_status.items()
    }


class ContractAutoSchema(AutoSchema):
    """Request bodies of strict serializers refuse unknown fields with a 400: their
    schemas say so (`additionalProperties: false`), so clients and fuzzers know."""

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema


def complete_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the error answers of the shared machinery
    (429, 5xx, and 400/401/404/413/415 where they apply) on every operation."""
    return complete_operations(result, error_ref="#/components/schemas/Error")
