"""The Ninja side of error handling: the same JSON body as v1 for every failure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from shared_domain.common.errors import MALFORMED_JSON, DomainError
from shared_domain.common.timefmt import iso_utc
from shared_domain.web.http import (
    DATABASE_UNAVAILABLE_ERRORS,
    database_unavailable_response,
    domain_error_response,
    json_error_response,
)
from shared_domain.web.inputs import load_json

_JSON_TYPES = ("application/json",)


class ApiJSONEncoder(NinjaJSONEncoder):
    """Ninja's encoder, with timestamps as v1 writes them (Django's would cut them to
    milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return iso_utc(o)
        return super().default(o)


class CompactJSONRenderer(JSONRenderer):
    """The same bytes as v1: no spaces after separators, non-ASCII kept as is, the
    same timestamps."""

    encoder_class = ApiJSONEncoder
    json_dumps_params: Mapping[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}


class UnsupportedMediaType(Exception):
    pass


class JsonParser(Parser):
    """Strict JSON bodies: JSON media type, no NaN/Infinity, no NUL character or lone
    surrogate in any string, key or value (pydantic would accept them; PostgreSQL or the
    response encoder would then fail), bounded nesting."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if content_type and not (content_type in _JSON_TYPES or content_type.endswith("+json")):
            raise UnsupportedMediaType(content_type)
        return load_json(request.body)


Handler = Callable[[HttpRequest, Any], HttpResponse]


def install_exception_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Handler]] = [
        (DomainError, _domain_error),
        (NinjaValidationError, _validation_error),
        (HttpError, _http_error),
        (Http404, _not_found),
        (DjangoPermissionDenied, _forbidden),
        (RequestDataTooBig, _too_large),
        *((exc_class, _database_unavailable) for exc_class in DATABASE_UNAVAILABLE_ERRORS),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(exc)


def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return json_error_response(
        400, code="validation_error", details=validation_details(exc.errors)
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, DomainError):  # raised while parsing the body
        return domain_error_response(cause)
    if isinstance(cause, UnsupportedMediaType):
        return json_error_response(415)
    if isinstance(cause, RequestDataTooBig):
        return json_error_response(413)
    if exc.status_code == 400 and isinstance(cause, ValueError | UnicodeDecodeError):
        return json_error_response(400, code=MALFORMED_JSON[0], message=MALFORMED_JSON[1])
    if isinstance(exc, Throttled):
        wait = max(1, int(exc.wait or 60))
        return json_error_response(
            429, details={"retry_after": wait}, headers={"Retry-After": str(wait)}
        )
    if isinstance(exc, AuthenticationError):
        return json_error_response(401, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    if isinstance(exc, AuthorizationError):
        return json_error_response(403)
    return json_error_response(exc.status_code, message=exc.message)


def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return database_unavailable_response(exc)


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return json_error_response(404)


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return json_error_response(403)


def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return json_error_response(413)


# Where a value came from is not part of the field name a client sees.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def validation_details(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """pydantic's [{"loc": ["body", "payload", "email"], "msg": ...}] → {"email": [...]}."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            # body locations also name the parameter the schema was bound to
            loc = loc[2:] if loc[0] == "body" and len(loc) > 2 else loc[1:]
        field = ".".join(loc) or "non_field_errors"
        out.setdefault(field, []).append(str(error.get("msg", "Invalid value.")))
    return out
