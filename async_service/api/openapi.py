"""The v2 OpenAPI document with the error answers every operation can give (see
shared_domain.web.openapi), like v1's."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from shared_domain.web.openapi import complete_operations


class ContractNinjaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete_operations(
            schema, error_ref="#/components/schemas/ErrorOut", path_parameters_validated=True
        )
        return schema
