"""Shipments created at the same moment, each on its own database connection."""

from __future__ import annotations

import pytest

from shared_domain.shipping import services
from shared_domain.shipping.errors import AlreadyShipped, TrackingNumberTaken
from shared_domain.shipping.models import Shipment
from tests.concurrency import names, race

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_tracking_number_raced_by_two_vendor_orders_has_one_winner(
    vendor_order_id, other_vendor_order_id
):
    outcomes = race(
        *(
            lambda vo=vo: services.shipment_create(
                vendor_order_id=vo, carrier="local", tracking_number="RACE-1"
            )
            for vo in (vendor_order_id, other_vendor_order_id)
        )
    )
    assert names(outcomes) == ["TrackingNumberTaken", "ok"]
    assert Shipment.objects.filter(tracking_number="RACE-1").count() == 1


def test_one_vendor_order_shipped_twice_at_once_has_one_shipment(vendor_order_id):
    outcomes = race(
        *(
            lambda number=number: services.shipment_create(
                vendor_order_id=vendor_order_id, carrier="local", tracking_number=number
            )
            for number in ("A-1", "B-1")
        )
    )
    assert names(outcomes) == ["AlreadyShipped", "ok"]
    assert Shipment.objects.filter(vendor_order_id=vendor_order_id).count() == 1


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [(("vo", "T-1"), ("other", "T-1"), TrackingNumberTaken), (("vo", "T-1"), ("vo", "T-2"), AlreadyShipped)],
)  # fmt: skip
def test_a_shipment_committed_after_the_check_is_named_by_the_constraint(
    monkeypatch, vendor_order_id, other_vendor_order_id, first, second, error
):
    ids = {"vo": vendor_order_id, "other": other_vendor_order_id}
    services.shipment_create(
        vendor_order_id=ids[first[0]], carrier="local", tracking_number=first[1]
    )
    # The check ran before the rival committed: the insert meets the unique constraint.
    check = services._ensure_unshipped
    calls = []

    def late_check(*args):
        calls.append(args)
        if len(calls) > 1:
            check(*args)

    monkeypatch.setattr(services, "_ensure_unshipped", late_check)
    with pytest.raises(error):
        services.shipment_create(
            vendor_order_id=ids[second[0]], carrier="local", tracking_number=second[1]
        )
    assert len(calls) == 2
    assert Shipment.objects.count() == 1
