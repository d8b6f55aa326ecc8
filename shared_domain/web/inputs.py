"""Checks every request input passes before a view sees it.

PostgreSQL text cannot hold NUL (0x00): a string carrying one would reach the database
and fail there as a 500. Both JSON parsers and the request middleware refuse such input
up front with the usual 400 `validation_error`, whatever endpoint or field it targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared_domain.common.errors import ValidationFailed

NUL = "\x00"
NUL_MESSAGE = "Null characters are not allowed."


def _nul_paths(value: Any, path: str) -> Iterable[str]:
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield name
            else:
                yield from _nul_paths(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}.{index}" if path else str(index))


def reject_nul(data: Any) -> None:
    """Raise ValidationFailed naming (dotted, like other validation details) every
    string, key or value, nested at any depth, that contains a NUL character."""
    if paths := list(_nul_paths(data, "")):
        raise ValidationFailed(
            details={path or "non_field_errors": [NUL_MESSAGE] for path in paths}
        )


def reject_nul_in_url(*, path: str, query: Iterable[tuple[str, list[str]]]) -> None:
    """The same for the URL: the decoded path and every query parameter name and value."""
    if NUL in path:
        raise ValidationFailed(details={"path": [NUL_MESSAGE]})
    names = [name for name, values in query if NUL in name or any(NUL in v for v in values)]
    if names:
        raise ValidationFailed(details={name: [NUL_MESSAGE] for name in names})
