"""Checks every request input passes before a view sees it.

Both JSON parsers load bodies with `load_json`, which refuses up front, with the usual
400 `validation_error` naming the field, what would otherwise fail later as a 500:

- NUL characters (0x00): PostgreSQL text cannot store them;
- lone UTF-16 surrogates (a `\\ud800` escape without its pair): Python accepts them in
  a string, but they cannot be encoded as UTF-8, so echoing such a string (or a key
  holding one, e.g. "unknown field") or storing it would crash;
- nesting deeper than MAX_JSON_DEPTH: no document of ours comes close, and the parser
  and every recursive walk after it would otherwise run out of stack.

The request middleware applies the NUL rule to the URL as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from shared_domain.common.errors import ValidationFailed

NUL = "\x00"
NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Lone surrogate escapes (\\ud800-\\udfff without a pair) are not allowed."
MAX_JSON_DEPTH = 64
TOO_DEEP_MESSAGE = f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."

_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_json(raw: bytes | str) -> Any:
    """Strict JSON (no NaN/Infinity) that passes `check_json`. Raises ValueError (or
    UnicodeDecodeError) for malformed JSON, ValidationFailed for refused content."""
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise ValidationFailed(TOO_DEEP_MESSAGE, details={"max_depth": MAX_JSON_DEPTH}) from None
    check_json(data)
    return data


def _problem(text: str) -> str | None:
    match = _BAD_CHARACTER.search(text)
    if match is None:
        return None
    return NUL_MESSAGE if match.group() == NUL else SURROGATE_MESSAGE


def _printable(name: str) -> str:
    """A field name that can be echoed in a response (surrogates replaced)."""
    return _SURROGATE.sub("\ufffd", name)


def check_json(data: Any) -> None:
    """Raise ValidationFailed naming (dotted, like other validation details) every
    string, key or value, nested at any depth, that holds a NUL or a lone surrogate,
    or saying the document is nested too deep. Iterative: never recursion-limited."""
    problems: dict[str, list[str]] = {}
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if message := _problem(value):
                problems[_printable(path) or "non_field_errors"] = [message]
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise ValidationFailed(TOO_DEEP_MESSAGE, details={"max_depth": MAX_JSON_DEPTH})
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (message := _problem(key)):
                problems[_printable(name)] = [message]
            else:
                stack.append((item, name, depth + 1))
    if problems:
        raise ValidationFailed(details=problems)


def reject_nul_in_url(*, path: str, query: Iterable[tuple[str, list[str]]]) -> None:
    """The NUL rule for the URL: the decoded path and every query parameter name and
    value."""
    if NUL in path:
        raise ValidationFailed(details={"path": [NUL_MESSAGE]})
    names = [name for name, values in query if NUL in name or any(NUL in v for v in values)]
    if names:
        raise ValidationFailed(details={name: [NUL_MESSAGE] for name in names})
