"""Carrier adapters: the local courier's webhook signature and payload checks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings

from shared_domain.shipping.carriers import (
    InvalidSignature,
    UnknownCarrier,
    WebhookError,
    carrier_codes,
    carrier_get,
)
from shared_domain.shipping.carriers.local import sign

BODY = json.dumps(
    {
        "id": "evt-9",
        "tracking_number": "LC-9",
        "status": "delivered",
        "occurred_at": "2026-03-01T10:00:00+00:00",
        "description": "Left with the gatekeeper",
        "location": "Lekki",
    }
).encode()


def test_the_local_courier_is_registered():
    assert "local" in carrier_codes()
    assert carrier_get("local").name == "Local courier"
    with pytest.raises(UnknownCarrier):
        carrier_get("pigeon")


@override_settings(LOCAL_COURIER_WEBHOOK_SECRET="s3cret")
def test_a_correctly_signed_body_is_read():
    (update,) = carrier_get("local").parse_webhook(
        {"x-carrier-signature": sign(BODY, "s3cret")}, BODY
    )
    assert update.tracking_number == "LC-9"
    assert update.status == "delivered"
    assert update.occurred_at == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
    assert (update.external_id, update.location) == ("evt-9", "Lekki")


@override_settings(LOCAL_COURIER_WEBHOOK_SECRET="s3cret")
@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Carrier-Signature": ""}, {"X-Carrier-Signature": sign(BODY, "other")}],
)
def test_a_missing_or_wrong_signature_is_refused(headers):
    with pytest.raises(InvalidSignature):
        carrier_get("local").parse_webhook(headers, BODY)


@override_settings(LOCAL_COURIER_WEBHOOK_SECRET="s3cret")
def test_a_tampered_body_is_refused():
    signature = sign(BODY, "s3cret")
    with pytest.raises(InvalidSignature):
        carrier_get("local").parse_webhook(
            {"X-Carrier-Signature": signature}, BODY.replace(b"LC-9", b"LC-8")
        )


@override_settings(LOCAL_COURIER_WEBHOOK_SECRET="s3cret")
@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        json.dumps({"status": "delivered", "occurred_at": "2026-03-01T10:00:00Z"}).encode(),
        json.dumps({"tracking_number": "A", "status": "x", "occurred_at": "yesterday"}).encode(),
        json.dumps(
            {"tracking_number": "A", "status": "x", "occurred_at": "2026-03-01T10:00"}
        ).encode(),
        json.dumps(
            {"tracking_number": 5, "status": "x", "occurred_at": "2026-03-01T10:00Z"}
        ).encode(),
    ],
)
def test_a_signed_but_malformed_payload_is_a_webhook_error(body):
    with pytest.raises(WebhookError) as caught:
        carrier_get("local").parse_webhook({"X-Carrier-Signature": sign(body, "s3cret")}, body)
    assert not isinstance(caught.value, InvalidSignature)
    assert caught.value.http_status == 400
