"""JSON rendering of v2: one renderer for every answer, and a direct path for the hot
reads that return the catalog's read models.

Ninja validates what an operation returns against its response schema before it
renders it: for a search page that is a pydantic model built per card, vendor and
category (most of the Python time of a search). The read models are frozen
dataclasses whose fields the schemas name exactly (a test keeps them equal), so the
hot reads render them directly with the same encoder, giving the same bytes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from shared_domain.common.timefmt import iso_utc

# The field names of each dataclass rendered so far, in their order.
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(cls, ())
    if names == ():
        names = (
            tuple(f.name for f in dataclasses.fields(cls) if not f.metadata.get("internal"))
            if dataclasses.is_dataclass(cls)
            else None
        )
        _FIELD_NAMES[cls] = names
    return names


class ReadModelEncoder(NinjaJSONEncoder):
    """Ninja's encoder (decimals as strings, datetimes in the APIs' one format) that also
    writes a dataclass as the object of its fields, in their order, leaving out fields
    marked `metadata={"internal": True}` (which the schemas leave out too). Decimals
    and dataclasses, most of what a read model holds, are looked at first."""

    def default(self, o: Any) -> Any:
        if type(o) is Decimal:
            return str(o)
        names = _field_names(type(o))
        if names is not None:
            return {name: getattr(o, name) for name in names}
        if isinstance(o, datetime):
            # As v1 writes them (Django's encoder would cut them to milliseconds).
            return iso_utc(o)
        return super().default(o)


class CompactJSONRenderer(JSONRenderer):
    """The same bytes as v1: no spaces after separators, non-ASCII kept as is."""

    encoder_class = ReadModelEncoder
    json_dumps_params: Mapping[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}


RENDERER = CompactJSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"


def read_model_response(data: Any, status: int = 200) -> HttpResponse:
    """`data` (read models, in dicts and lists) rendered as its declared schema would
    render it, without building the schema's pydantic models first."""
    content = RENDERER.render(None, data, response_status=status)  # type: ignore[arg-type]
    return HttpResponse(content, status=status, content_type=CONTENT_TYPE)
