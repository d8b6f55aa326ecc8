"""The local courier: vendors enter its tracking numbers by hand, and its dispatch app
reports steps through a signed JSON webhook:

    POST /api/v1/shipping/webhooks/local
    X-Carrier-Signature: <hex HMAC-SHA256 of the raw body, key LOCAL_COURIER_WEBHOOK_SECRET>
    {"id": "evt-1", "tracking_number": "LC-1", "status": "delivered",
     "occurred_at": "2026-01-01T10:00:00Z", "description": "", "location": "Lagos"}
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings

from shared_domain.shipping.carriers.base import InvalidSignature, TrackingUpdate, WebhookError

SIGNATURE_HEADER = "X-Carrier-Signature"


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.LOCAL_COURIER_WEBHOOK_SECRET).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def _text(item: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    value = item.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise WebhookError(details={name: ["Expected text."]})
    value = value.strip()
    if required and not value:
        raise WebhookError(details={name: ["This field is required."]})
    return value


class LocalCourier:
    code = "local"
    name = "Local courier"

    def tracking_url(self, tracking_number: str) -> str | None:
        return None

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[TrackingUpdate]:
        given = _header(headers, SIGNATURE_HEADER).strip().lower()
        if not given or not hmac.compare_digest(given, sign(body)):
            raise InvalidSignature()
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise WebhookError("The webhook body is not valid JSON.") from None
        items = data if isinstance(data, list) else [data]
        updates = []
        for item in items:
            if not isinstance(item, dict):
                raise WebhookError("Each update must be a JSON object.")
            raw_at = _text(item, "occurred_at", required=True)
            try:
                occurred_at = datetime.fromisoformat(raw_at)
            except ValueError:
                raise WebhookError(details={"occurred_at": ["Not an ISO 8601 time."]}) from None
            if occurred_at.tzinfo is None:
                raise WebhookError(details={"occurred_at": ["Give a time zone."]})
            updates.append(
                TrackingUpdate(
                    tracking_number=_text(item, "tracking_number", required=True),
                    status=_text(item, "status", required=True),
                    occurred_at=occurred_at,
                    description=_text(item, "description"),
                    location=_text(item, "location"),
                    external_id=_text(item, "id"),
                )
            )
        return updates
