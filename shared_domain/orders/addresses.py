"""The shipping address an order is sent to: checked and normalised once, stored as
a snapshot on the order."""

from __future__ import annotations

import re
from typing import Any

from shared_domain.common.errors import ValidationFailed
from shared_domain.common.text import control_characters_problem, phone_normalize, phone_problem

REQUIRED = ("name", "line1", "city", "state", "country", "phone")
OPTIONAL = ("line2", "postal_code")
_LIMITS = {"name": 120, "line1": 200, "line2": 200, "city": 100, "state": 100, "postal_code": 20}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def address_clean(raw: object) -> dict[str, str]:
    """The address as stored, or ValidationFailed with `shipping_address.<field>`."""
    if not isinstance(raw, dict):
        raise ValidationFailed(details={"shipping_address": ["Send an object."]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name in (*REQUIRED, *OPTIONAL):
        value: Any = raw.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[f"shipping_address.{name}"] = ["Send text."]
            continue
        value = " ".join(value.split())  # tabs and line breaks become spaces
        if problem := control_characters_problem(value):
            errors[f"shipping_address.{name}"] = [problem]
            continue
        if not value:
            if name in REQUIRED:
                errors[f"shipping_address.{name}"] = ["This field is required."]
            continue
        clean[name] = value
    for name in sorted(set(raw) - {*REQUIRED, *OPTIONAL}):
        errors[f"shipping_address.{name}"] = ["Unknown field."]
    for name, limit in _LIMITS.items():
        if len(clean.get(name, "")) > limit:
            errors[f"shipping_address.{name}"] = [f"Use at most {limit} characters."]
    if "country" in clean:
        clean["country"] = clean["country"].upper()
        if not _COUNTRY.match(clean["country"]):
            errors["shipping_address.country"] = ["Use a two-letter country code (ISO 3166-1)."]
    if "phone" in clean:
        clean["phone"] = phone_normalize(clean["phone"])
        if problem := phone_problem(clean["phone"]):
            errors["shipping_address.phone"] = [problem]
    if errors:
        raise ValidationFailed(details=errors)
    return clean
