"""Checks shared by the catalog's writes: each adds what is wrong to an `Errors` map (field
-> messages), so one request reports every problem at once."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from shared_domain.catalog.models import CURRENCIES, Category

MAX_PRICE = Decimal("9999999999.99")
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,63}$")
CURRENCY_CODES = {code for code, _ in CURRENCIES}

Errors = dict[str, list[str]]


def known_keys(data: Any, shape: Any) -> None:
    """A key the changes type does not name is a caller's mistake, never ignored."""
    unknown = set(data) - set(shape.__optional_keys__)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")


def check_price(
    value: Any, field: str, errors: Errors, *, required: bool = True
) -> Decimal | None:
    if value is None:
        if required:
            errors[field] = ["A price is required."]
        return None
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["Enter a number like 12500.00."]
        return None
    if not price.is_finite() or price <= 0 or price > MAX_PRICE:
        errors[field] = [f"Enter an amount above 0 and at most {MAX_PRICE}."]
        return None
    if price != price.quantize(Decimal("0.01")):
        errors[field] = ["Use at most two decimal places."]
        return None
    return price.quantize(Decimal("0.01"))


def check_text(value: str, field: str, errors: Errors, *, max_length: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        errors[field] = ["This field may not be blank."]
    elif len(text) > max_length:
        errors[field] = [f"Use at most {max_length} characters."]
    return text


def clean_sku(sku: str, field: str, errors: Errors) -> str:
    cleaned = sku.strip().upper()
    if not _SKU.match(cleaned):
        errors[field] = [
            "Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."
        ]
    return cleaned


def check_category(category_id: Any, errors: Errors) -> Category | None:
    if category_id is None:
        return None
    category = (
        Category.objects.filter(pk=category_id).first() if isinstance(category_id, int) else None
    )
    if category is None:
        errors["category"] = ["Unknown category."]
    return category


def check_attributes(attributes: Any, errors: Errors) -> dict[str, Any]:
    if attributes is None:
        return {}
    if not isinstance(attributes, dict) or len(attributes) > 50:
        errors["attributes"] = ["Use an object with at most 50 keys."]
        return {}
    if any(len(str(key)) > 50 for key in attributes):
        errors["attributes"] = ["Keys may have at most 50 characters."]
    return attributes
