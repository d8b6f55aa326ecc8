"""Keyset pages of orders (newest first) and the filters both order lists share."""

from __future__ import annotations

import base64
import binascii

from shared_domain.common.errors import ValidationFailed
from shared_domain.orders.lifecycle import Status

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def cursor_decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        if not raw.isascii() or not raw.isdigit():
            raise ValueError(raw)
        return int(raw)
    except (ValueError, binascii.Error, UnicodeError):
        raise ValidationFailed(details={"cursor": ["Not a cursor this API gave out."]}) from None


def cursor_encode(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def page_size_check(page_size: int | None) -> int:
    size = PAGE_SIZE if page_size is None else page_size
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed(details={"page_size": [f"Use 1 to {MAX_PAGE_SIZE}."]})
    return size


def status_check(status: str | None) -> None:
    if status is not None and status not in Status.values:
        raise ValidationFailed(details={"status": [f"Use one of {', '.join(Status.values)}."]})
