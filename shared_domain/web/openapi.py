"""What both OpenAPI documents say about every operation, whichever framework wrote them.

The error answers any operation can give come from the shared machinery, not from the
operation: the rate limiter (429 with Retry-After), an outage of PostgreSQL (503 with
Retry-After), an unexpected failure (500), and, depending on what the operation takes,
the body parser (400 malformed JSON, 413, 415), authentication (401) and path lookups
(404). `complete_operations` documents each of those, with the one error body of SPEC
§4, where the operation's own description does not already; and makes every nullable
reference a typed schema, so strict OpenAPI 3.0 validators accept its null.
"""

from __future__ import annotations

from typing import Any

from shared_domain.common.errors import HTTP_STATUS_ERRORS

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
_CODES = {
    400: "validation_error, malformed_json, bad_request",
    401: "not_authenticated, invalid_token, token_expired, token_revoked",
    404: "not_found",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled (`details.retry_after` and the Retry-After header: seconds to wait)",
    500: f"{HTTP_STATUS_ERRORS[500][0]} (nothing about the failure is disclosed)",
    503: "service_unavailable, unavailable (a dependency is down; Retry-After: seconds)",
}


def error_response(status: int, error_ref: str) -> dict[str, Any]:
    # 429 and 503 get their Retry-After header from complete_operations.
    return {
        "description": f"Error body; `error.code`: {_CODES[status]}",
        "content": {"application/json": {"schema": {"$ref": error_ref}}},
    }


def standard_statuses(
    path: str, operation: dict[str, Any], *, path_parameters_validated: bool = False
) -> list[int]:
    """The error statuses the shared machinery can answer this operation with.
    `path_parameters_validated`: an ill-typed path parameter is a 400 (v2), not a path
    that matches no route (v1's 404)."""
    security = operation.get("security") or []
    authenticated = bool(security) and {} not in security
    has_path_parameters = "{" in path
    has_body = "requestBody" in operation
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    statuses = []
    if has_body or has_query or (has_path_parameters and path_parameters_validated):
        statuses.append(400)
    if authenticated:
        statuses.append(401)
    if has_path_parameters:
        statuses.append(404)
    if has_body:
        statuses += [413, 415]
    return [*statuses, 429, 500, 503]


def complete_operations(
    schema: dict[str, Any], *, error_ref: str, path_parameters_validated: bool = False
) -> dict[str, Any]:
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            statuses = standard_statuses(
                path, operation, path_parameters_validated=path_parameters_validated
            )
            for status in statuses:
                responses.setdefault(str(status), error_response(status, error_ref))
            for code in ("429", "503"):
                responses[code].setdefault("headers", dict(_RETRY_AFTER))
    _type_nullable_references(schema)
    return schema


def _type_nullable_references(node: Any) -> None:
    """`{"allOf": [{"$ref": ...}], "nullable": true}` has no type, and OpenAPI 3.0 says
    `nullable` means nothing without one: strict validators then refuse null. Every
    referenced schema these APIs make nullable is an object."""
    if isinstance(node, dict):
        if node.get("nullable") is True and "allOf" in node and "type" not in node:
            node["type"] = "object"
        for value in node.values():
            _type_nullable_references(value)
    elif isinstance(node, list):
        for value in node:
            _type_nullable_references(value)
