"""The orders read models are the frozen dataclasses of its selectors (an order's
detail is the payments context's OrderDetail, the order with its payments); the v1
serializers and v2 schemas that render them must name exactly their fields (a
shipment is shown inside its vendor order, without repeating the vendor order's
id)."""

from __future__ import annotations

import dataclasses

import pytest

from async_service.api import orders_schemas as v2
from shared_domain.orders import selectors as read
from shared_domain.payments import selectors as payments_read
from shared_domain.shipping.selectors import ShipmentView, TrackingEventView
from sync_service.api.orders import serializers as v1

PAIRS = [
    (read.CartView, v1.CartOut, None, ()),
    (read.CartLine, v1.CartLineOut, None, ()),
    (payments_read.OrderDetail, v1.OrderOut, v2.OrderOut, ()),
    (payments_read.PaymentView, v1.PaymentOut, v2.PaymentOut, ()),
    (read.VendorOrderView, v1.VendorOrderOut, v2.VendorOrderOut, ()),
    (read.ItemView, v1.ItemOut, v2.ItemOut, ()),
    (read.VendorRef, v1.VendorRefOut, v2.VendorRefOut, ()),
    (read.OrderSummary, v1.OrderSummaryOut, v2.OrderSummaryOut, ()),
    (read.OrderPage, v1.OrderPageOut, v2.OrderPageOut, ()),
    (read.VendorOrderRow, v1.VendorOrderRowOut, None, ()),
    (read.VendorOrderPage, v1.VendorOrderPageOut, None, ()),
    (read.ReturnView, v1.ReturnOut, v2.ReturnOut, ()),
    (read.ReturnPage, v1.ReturnPageOut, None, ()),
]


@pytest.mark.parametrize(("model", "serializer", "schema", "extra"), PAIRS)
def test_api_shapes_name_exactly_the_read_model_fields(model, serializer, schema, extra):
    names = [f.name for f in dataclasses.fields(model)] + list(extra)
    assert list(serializer().fields) == names
    if schema is not None:
        assert list(schema.model_fields) == names


def test_a_tracking_event_is_shown_whole():
    names = [f.name for f in dataclasses.fields(TrackingEventView)]
    assert list(v1.TrackingEventOut().fields) == names
    assert list(v2.TrackingEventOut.model_fields) == names


def test_a_shipment_is_shown_without_its_vendor_order_id():
    names = [f.name for f in dataclasses.fields(ShipmentView) if f.name != "vendor_order_id"]
    assert list(v1.ShipmentOut().fields) == names
    assert list(v2.ShipmentOut.model_fields) == names
