"""Reading provider JSON defensively: a signed body can still be malformed."""

from __future__ import annotations

import json
from typing import Any

from shared_domain.payments.errors import WebhookError


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookError("The webhook body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise WebhookError("The webhook body must be a JSON object.")
    return data


def obj(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise WebhookError(details={name: ["Expected an object."]})
    return value


def text(data: dict[str, Any], name: str, *, required: bool = True, limit: int = 255) -> str:
    value = data.get(name, "")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value):
        raise WebhookError(details={name: [f"Expected text of 1 to {limit} characters."]})
    return value


def minor(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**15:
        raise WebhookError(details={name: ["Expected a whole amount in minor units."]})
    return value


def minor_or_digits(data: dict[str, Any], name: str) -> int:
    """A minor-unit amount that some events give as a string of digits (Paystack's
    refund events)."""
    value = data.get(name)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 16:
        return int(value)
    return minor(data, name)
