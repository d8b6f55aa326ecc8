"""JSON body parsing for v1: bounded read, strict JSON (no NaN/Infinity), no NUL
characters or lone surrogates in any string, bounded nesting (shared_domain.web.inputs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions, parsers

from shared_domain.common.errors import MALFORMED_JSON
from shared_domain.web.inputs import load_json


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.MAX_REQUEST_BODY_BYTES
        # Content-Length is checked by the middleware; this also covers chunked bodies.
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            return load_json(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(MALFORMED_JSON[1], code=MALFORMED_JSON[0]) from exc
