"""Staff see shipments and their tracking events, and change nothing there."""

from __future__ import annotations

import pytest

from shared_domain.shipping import services
from shared_domain.shipping.models import Shipment
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ADMIN = "/api/v1/admin/shipping/shipment"


def test_a_shipment_and_its_events_are_shown_read_only(client, vendor_order_id):
    client.force_login(StaffFactory.create(is_superuser=True))
    shipment = services.shipment_create(
        vendor_order_id=vendor_order_id, carrier="local", tracking_number="LC-5"
    )
    assert client.get(f"{ADMIN}/").status_code == 200
    page = client.get(f"{ADMIN}/{shipment.pk}/change/")
    assert page.status_code == 200
    assert b"LC-5" in page.content
    assert b"Handed to the carrier." in page.content
    assert client.get(f"{ADMIN}/add/").status_code == 403
    client.post(f"{ADMIN}/{shipment.pk}/change/", {"carrier": "other"})
    assert Shipment.objects.get().carrier == "local"
