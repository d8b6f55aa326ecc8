"""The one DRF exception handler: every error leaves v1 as the SPEC error body."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.response import HttpResponseBase
from rest_framework import exceptions

from shared_domain.common.errors import MALFORMED_JSON, DomainError
from shared_domain.web.http import (
    DATABASE_UNAVAILABLE_ERRORS,
    database_unavailable_response,
    domain_error_response,
    json_error_response,
)

NON_FIELD_KEY = "non_field_errors"


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> HttpResponseBase | None:
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        return database_unavailable_response(exc)
    if isinstance(exc, Http404):
        return json_error_response(404)
    if isinstance(exc, DjangoPermissionDenied):
        return json_error_response(403)
    if isinstance(exc, RequestDataTooBig):
        return json_error_response(413)
    if isinstance(exc, DjangoValidationError):
        return json_error_response(
            400, code="validation_error", details=_django_validation_details(exc)
        )
    if isinstance(exc, exceptions.ValidationError):
        return json_error_response(
            400, code="validation_error", details=validation_details(exc.detail)
        )
    if isinstance(exc, exceptions.ParseError):
        return json_error_response(400, code=MALFORMED_JSON[0], message=MALFORMED_JSON[1])
    if isinstance(exc, exceptions.Throttled):
        seconds = getattr(exc, "wait", None)
        wait = math.ceil(seconds) if seconds is not None else 60
        return json_error_response(
            429, details={"retry_after": wait}, headers={"Retry-After": str(wait)}
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        view = context.get("view")
        request = context.get("request")
        challenge = view.get_authenticate_header(request) if view and request else None
        message = str(exc.detail) if isinstance(exc, exceptions.AuthenticationFailed) else None
        return json_error_response(
            401,
            code=_code_of(exc, "not_authenticated"),
            message=message,
            headers={"WWW-Authenticate": challenge} if challenge else None,
        )
    if isinstance(exc, exceptions.APIException):
        return json_error_response(
            exc.status_code, code=_code_of(exc, None), message=_own_message(exc)
        )
    # Anything else is a bug: Django's handler500 logs it and answers the JSON 500.
    return None


# DRF's wording of failures v2 words too (405, 406, 415): the one message per code
# (shared_domain.common.errors) is used instead, so both APIs say the same.
_FRAMEWORK_WORDED = (
    exceptions.MethodNotAllowed,
    exceptions.NotAcceptable,
    exceptions.UnsupportedMediaType,
)


def _own_message(exc: exceptions.APIException) -> str | None:
    """The message a view or permission chose; None (the code's one wording) for
    DRF's stock texts."""
    if isinstance(exc, _FRAMEWORK_WORDED) or str(exc.detail) == str(exc.default_detail):
        return None
    return str(exc.detail)


def _code_of(exc: exceptions.APIException, fallback: str | None) -> str | None:
    codes = exc.get_codes()
    if isinstance(codes, str) and codes not in {"error", "invalid"}:
        return codes
    return fallback or exc.default_code


def validation_details(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error structure into {"field.sub": ["message", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == NON_FIELD_KEY and prefix:
                name = prefix
            for field, messages in validation_details(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list):
                for field, messages in validation_details(item, f"{prefix}.{index}").items():
                    out.setdefault(field, []).extend(messages)
            else:
                out.setdefault(prefix or NON_FIELD_KEY, []).append(str(item))
    else:
        out.setdefault(prefix or NON_FIELD_KEY, []).append(str(detail))
    return out


def _django_validation_details(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {NON_FIELD_KEY: [str(m) for m in exc.messages]}
