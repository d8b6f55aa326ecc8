"""Checks of free text people type into names and phone numbers, shared by every
context (the APIs check only the shape; these are rules, so services apply them)."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional overrides and isolates: invisible, they reorder what follows them
# (a store name with U+202E, RIGHT-TO-LEFT OVERRIDE, displays reversed).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def control_characters_problem(value: str) -> str | None:
    """A message when `value` holds a control character (tab, newline, NUL, escape,
    DEL, C1 controls, bidirectional overrides), else None."""
    for char in value:
        if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            return "Remove control characters (such as tabs, line breaks or NUL)."
    return None


# Separators people type in phone numbers; numbers are stored without them.
_PHONE_SEPARATORS = re.compile(r"[\s().-]")


def phone_normalize(value: str) -> str:
    """`value` without spaces, dashes, dots and brackets (how phones are stored)."""
    return _PHONE_SEPARATORS.sub("", value)


def phone_problem(value: str) -> str | None:
    """A message unless `value` is an E.164 number (`+2348012345678`), else None."""
    if _E164.fullmatch(value):
        return None
    return "Use the international format: + then the country code and number, digits only."
