"""Shipping services: validation, one shipment per tracking number, idempotent
delivery, webhook redeliveries recorded once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shared_domain.common.errors import NotFound, ValidationFailed
from shared_domain.common.models import EventRecord
from shared_domain.shipping import services
from shared_domain.shipping.errors import AlreadyShipped, TrackingNumberTaken
from shared_domain.shipping.models import Shipment, TrackingEvent
from shared_domain.shipping.selectors import shipments_for_vendor_orders

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


def test_shipment_create_records_a_first_shipped_event(vendor_order_id):
    shipment = services.shipment_create(
        vendor_order_id=vendor_order_id, carrier=" local ", tracking_number="  LC-123 "
    )
    assert (shipment.carrier, shipment.tracking_number) == ("local", "LC-123")
    assert shipment.status == Shipment.Status.IN_TRANSIT
    assert list(shipment.events.values_list("status", flat=True)) == ["shipped"]


def test_shipment_create_rejects_an_unknown_carrier(vendor_order_id):
    with pytest.raises(ValidationFailed) as caught:
        services.shipment_create(
            vendor_order_id=vendor_order_id, carrier="pigeon", tracking_number="LC-1"
        )
    assert set(caught.value.details) == {"carrier"}
    assert not Shipment.objects.exists()


@pytest.mark.parametrize("number", ["", "   ", "LC 12", "LC/12", "x" * 65, "ЛС-1"])
def test_shipment_create_rejects_a_malformed_tracking_number(vendor_order_id, number):
    with pytest.raises(ValidationFailed) as caught:
        services.shipment_create(
            vendor_order_id=vendor_order_id, carrier="local", tracking_number=number
        )
    assert set(caught.value.details) == {"tracking_number"}


def test_a_tracking_number_belongs_to_one_shipment(vendor_order_id, other_vendor_order_id):
    services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="T-1"
    )
    with pytest.raises(TrackingNumberTaken) as caught:
        services.shipment_create(
            vendor_order_id=other_vendor_order_id, carrier="local", tracking_number="T-1"
        )
    assert caught.value.code == "tracking_number_taken"
    assert caught.value.http_status == 409
    assert Shipment.objects.count() == 1


def test_a_vendor_order_ships_once(vendor_order_id):
    services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="T-1"
    )
    with pytest.raises(AlreadyShipped):
        services.shipment_create(
            vendor_order_id=vendor_order_id, carrier="local", tracking_number="T-2"
        )


def test_shipment_mark_delivered_is_idempotent(vendor_order_id):
    services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="T-1"
    )
    first = services.shipment_mark_delivered(vendor_order_id=vendor_order_id)
    second = services.shipment_mark_delivered(vendor_order_id=vendor_order_id)
    assert first.status == second.status == Shipment.Status.DELIVERED
    assert second.delivered_at == first.delivered_at


def test_shipment_mark_delivered_without_shipment_is_not_found(vendor_order_id):
    with pytest.raises(NotFound):
        services.shipment_mark_delivered(vendor_order_id=vendor_order_id)


def test_tracking_event_record_dedupes_by_external_id(vendor_order_id):
    services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="T-1"
    )
    kwargs: dict[str, Any] = {
        "carrier": "local",
        "tracking_number": "T-1",
        "status": "in_transit",
        "occurred_at": AT,
        "location": "Ibadan hub",
        "external_id": "evt-1",
    }
    first = services.tracking_event_record(**kwargs)
    again = services.tracking_event_record(**kwargs)
    assert first is not None
    assert again is None
    assert TrackingEvent.objects.filter(external_id="evt-1").count() == 1


def test_tracking_event_record_of_an_unknown_parcel_is_not_found(vendor_order_id):
    with pytest.raises(NotFound):
        services.tracking_event_record(
            carrier="local", tracking_number="NOPE", status="in_transit", occurred_at=AT
        )


def test_a_delivered_step_delivers_the_shipment_and_publishes_once(vendor_order_id):
    shipment = services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="T-1"
    )
    for external_id in ("d-1", "d-2"):
        services.tracking_event_record(
            carrier="local",
            tracking_number="T-1",
            status="delivered",
            occurred_at=AT,
            external_id=external_id,
        )
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
    assert shipment.delivered_at == AT
    records = EventRecord.objects.filter(event_type="shipping.TrackingUpdated")
    assert [r.payload for r in records] == [
        {"shipment_id": shipment.pk, "vendor_order_id": vendor_order_id, "status": "delivered"}
    ]


def test_shipments_for_vendor_orders_returns_views_in_two_queries(
    vendor_order_id, other_vendor_order_id, django_assert_num_queries
):
    services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="A-1"
    )
    services.shipment_create(
        vendor_order_id=other_vendor_order_id, carrier="local", tracking_number="B-1"
    )
    with django_assert_num_queries(2):
        views = shipments_for_vendor_orders(
            vendor_order_ids=[vendor_order_id, other_vendor_order_id]
        )
    assert views[vendor_order_id].tracking_number == "A-1"
    assert [e.status for e in views[other_vendor_order_id].events] == ["shipped"]
