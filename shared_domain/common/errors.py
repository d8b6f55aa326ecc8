"""Typed errors of the domain and the one error body both APIs return.

Services raise `DomainError` subclasses; each carries a stable machine-readable `code`
and the HTTP status both APIs answer with, so v1 and v2 render the same response:

    {"error": {"code": "out_of_stock", "message": "Only 2 left", "details": {...}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    default_message: ClassVar[str] = "The request could not be completed."

    def __init__(
        self, message: str | None = None, *, details: Mapping[str, Any] | None = None
    ) -> None:
        self.message = message or self.default_message
        self.details = dict(details) if details else {}
        super().__init__(self.message)


class ValidationFailed(DomainError):
    code = "validation_error"
    http_status = 400
    default_message = "The request contains invalid data."


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401
    default_message = "Authentication credentials were not provided or are not valid."


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    default_message = "You do not have permission to perform this action."


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = "The requested resource was not found."


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = "The request conflicts with the current state of the resource."


class Throttled(DomainError):
    code = "throttled"
    http_status = 429
    default_message = "Too many requests; try again later."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(DomainError):
    code = "unavailable"
    http_status = 503
    default_message = "The service is temporarily unavailable."


# Codes for errors raised by the frameworks rather than the domain, by status.
HTTP_STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", NotAuthenticated.default_message),
    403: ("permission_denied", PermissionDenied.default_message),
    404: ("not_found", NotFound.default_message),
    405: ("method_not_allowed", "This method is not allowed on this resource."),
    406: ("not_acceptable", "This resource only produces application/json."),
    409: ("conflict", Conflict.default_message),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the request body as application/json."),
    429: ("throttled", Throttled.default_message),
    500: ("internal_error", "An unexpected error occurred. It has been logged."),
    502: ("bad_gateway", "An upstream service failed."),
    503: ("unavailable", ServiceUnavailable.default_message),
}

MALFORMED_JSON = ("malformed_json", "The request body is not valid JSON.")


def error_for_status(status: int) -> tuple[str, str]:
    if status in HTTP_STATUS_ERRORS:
        return HTTP_STATUS_ERRORS[status]
    return HTTP_STATUS_ERRORS[500] if status >= 500 else HTTP_STATUS_ERRORS[400]


def error_body(
    code: str, message: str, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}
