"""Keyset pages of a search (the v1 list): a page after a cursor in a stable order, so
no product is repeated or skipped when products are added while a client pages."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q

from shared_domain.catalog.params import ProductSort
from shared_domain.catalog.selectors.read_models import CARD_COLUMNS, CursorPage, card_of_row
from shared_domain.catalog.selectors.search import (
    Search,
    compiled_rows,
    search_filtered,
    search_ordering,
    search_resolved,
    with_card_fields,
)
from shared_domain.common.errors import ValidationFailed

# Bounds of the numbers a cursor may carry: prices and ratings are far below them.
_MAX_CURSOR_NUMBER = Decimal(10) ** 15


def _cursor_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _cursor_decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= _MAX_CURSOR_NUMBER:
        raise ValueError(text)
    return value


def _cursor_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    return value


CURSOR_KEYS: dict[ProductSort, tuple[str, Callable[[str], Any], str]] = {
    "relevance": ("score", _cursor_float, "desc"),
    "price": ("base_price", _cursor_decimal, "asc"),
    "-price": ("base_price", _cursor_decimal, "desc"),
    # Never null: products on sale always have a publication date (a CHECK).
    "newest": ("published_at", _cursor_datetime, "desc"),
    "rating": ("rating_sort", _cursor_decimal, "desc"),
}


def _encode_cursor(sort: str, value: Any, pk: int) -> str:
    raw = json.dumps([sort, str(value), pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: ProductSort) -> tuple[Any, int]:
    """The sort key and id of the last row of the previous page. Anything but a cursor
    this module wrote for the same sort (including NaN or infinite numbers) is a 400."""
    invalid = ValidationFailed(details={"cursor": ["Invalid cursor; start from the first page."]})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if (
            cursor_sort != sort
            or not isinstance(value, str)
            or type(pk) is not int
            or not 0 < pk < 2**63
        ):
            raise invalid
        return CURSOR_KEYS[sort][1](value), pk
    except (ValueError, TypeError, binascii.Error, ArithmeticError):
        raise invalid from None


def product_search_keyset(search: Search, *, limit: int, cursor: str | None) -> CursorPage:
    """A page after `cursor` in a stable order (v1 list): no duplicates or gaps when
    products are added while a client pages. The SQL of a distinct first page is
    compiled once (see search.compiled_rows); the rows are read every time."""
    resolved = search_resolved(search)
    sort = resolved.params.effective_sort
    ordering = search_ordering(sort)
    field_name, _parse, direction = CURSOR_KEYS[sort]
    after_key = _decode_cursor(cursor, sort) if cursor else None

    def build() -> Any:
        qs = with_card_fields(search_filtered(resolved)).order_by(*ordering)
        if after_key is not None:
            value, pk = after_key
            after = "lt" if direction == "desc" else "gt"
            qs = qs.filter(
                Q(**{f"{field_name}__{after}": value})
                | Q(**{field_name: value, f"id__{after}": pk})
            )
        return qs.values_list(*CARD_COLUMNS, field_name)[: limit + 1]

    # First pages repeat; later ones differ by their cursor value, so only first pages
    # keep their compiled SQL (and do not push the others' out).
    first = after_key is None
    rows = compiled_rows(("keyset", resolved, limit), build) if first else list(build())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor(sort, last[-1], last[0])
    return CursorPage(items=[card_of_row(row) for row in rows], next_cursor=next_cursor)
