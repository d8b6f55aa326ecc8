"""POST /api/v1/shipping/webhooks/{carrier}: signature is the authentication, replays
record nothing new."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from shared_domain.shipping import services
from shared_domain.shipping.carriers.local import sign
from shared_domain.shipping.models import Shipment, TrackingEvent
from tests.http import error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_secret")]

SECRET = "hook-secret"


@pytest.fixture
def _secret():
    with override_settings(LOCAL_COURIER_WEBHOOK_SECRET=SECRET):
        yield


@pytest.fixture
def shipment(vendor_order_id):
    return services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="LC-77"
    )


def body(**overrides):
    data = {
        "id": "evt-1",
        "tracking_number": "LC-77",
        "status": "delivered",
        "occurred_at": "2026-03-01T10:00:00Z",
        "description": "Delivered",
        "location": "Yaba",
    }
    data.update(overrides)
    return json.dumps(data).encode()


def deliver(client, raw, carrier="local", signature=None):
    return client.post(
        f"/api/v1/shipping/webhooks/{carrier}",
        data=raw,
        content_type="application/json",
        headers={"X-Carrier-Signature": sign(raw, SECRET) if signature is None else signature},
    )


def test_a_signed_update_is_recorded(client, shipment):
    response = deliver(client, body())
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 1, "recorded": 1, "unknown": 0}
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
    assert shipment.events.filter(external_id="evt-1", location="Yaba").exists()


def test_a_replayed_delivery_records_nothing_new(client, shipment):
    raw = body()
    assert deliver(client, raw).status_code == 200
    replay = deliver(client, raw)
    assert replay.status_code == 200
    assert replay.json() == {"received": 1, "recorded": 0, "unknown": 0}
    assert TrackingEvent.objects.filter(shipment=shipment, external_id="evt-1").count() == 1


def test_a_bad_signature_is_401_and_records_nothing(client, shipment):
    response = deliver(client, body(), signature="0" * 64)
    assert response.status_code == 401
    assert error(response)["code"] == "invalid_signature"
    assert not TrackingEvent.objects.filter(external_id="evt-1").exists()


def test_a_malformed_payload_is_400(client, shipment):
    response = deliver(client, b'{"tracking_number": "LC-77"')
    assert response.status_code == 400
    assert error(response)["code"] == "invalid_payload"


def test_an_unknown_carrier_is_404(client, shipment):
    response = deliver(client, body(), carrier="pigeon")
    assert response.status_code == 404
    assert error(response)["code"] == "unknown_carrier"


def test_updates_of_unknown_parcels_are_skipped_and_counted(client, shipment):
    # A permanent 404 would make the carrier retry the whole batch for ever.
    raw = json.dumps(
        [
            json.loads(body(id="a", status="in_transit")),
            json.loads(body(id="b", tracking_number="X-1")),
        ]
    ).encode()
    response = deliver(client, raw)
    assert response.status_code == 200
    assert response.json() == {"received": 2, "recorded": 1, "unknown": 1}
    assert list(
        shipment.events.filter(external_id__in=["a", "b"]).values_list("external_id", flat=True)
    ) == ["a"]
