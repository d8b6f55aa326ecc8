"""The order history as status events, and their publication on the order's channel."""

from __future__ import annotations

import json

import pytest

from shared_domain.common.errors import NotFound
from shared_domain.common.timefmt import iso_utc
from shared_domain.orders.live import (
    order_current_status,
    order_event_publish,
    order_events_channel,
    order_status_events,
)
from shared_domain.orders.models import OrderStatusChange
from tests.factories import CustomerFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    """placed, paid, vendor processing, vendor shipped, order shipped (current)."""
    customer = CustomerFactory.create()
    order = make_order(customer, status="shipped", vendor_status="shipped")
    vendor_order = order.vendor_orders.get()
    rows = [
        OrderStatusChange.objects.create(order=order, from_status=a, to_status=b, vendor_order=v)
        for a, b, v in [
            ("", "pending_payment", None),
            ("pending_payment", "paid", None),
            ("paid", "processing", vendor_order),
            ("processing", "shipped", vendor_order),
        ]
    ]
    return customer, order, rows


def test_each_event_carries_the_order_status_after_it(history):
    customer, order, rows = history
    events = order_status_events(customer=customer, order_id=order.pk)
    assert [e.id for e in events] == [r.pk for r in rows]
    # A vendor-level change shows the last order-level status before it; the latest
    # shows the order as it is now.
    assert [e.order_status for e in events] == ["pending_payment", "paid", "paid", "shipped"]
    assert events[2].vendor_order_id == rows[2].vendor_order_id


def test_after_id_returns_only_later_events_with_the_same_statuses(history):
    customer, order, rows = history
    events = order_status_events(customer=customer, order_id=order.pk, after_id=rows[1].pk)
    assert [(e.id, e.order_status) for e in events] == [
        (rows[2].pk, "paid"),
        (rows[3].pk, "shipped"),
    ]
    assert order_status_events(customer=customer, order_id=order.pk, after_id=rows[3].pk) == []


def test_current_status_is_the_latest_row_with_the_order_status(history):
    customer, order, rows = history
    current = order_current_status(customer=customer, order_id=order.pk)
    assert (current.id, current.to_status, current.order_status) == (
        rows[3].pk,
        "shipped",
        "shipped",
    )


def test_someone_elses_order_is_not_found(history):
    _, order, _ = history
    stranger = CustomerFactory.create()
    with pytest.raises(NotFound):
        order_status_events(customer=stranger, order_id=order.pk)
    with pytest.raises(NotFound):
        order_current_status(customer=stranger, order_id=order.pk)


def test_publish_sends_the_event_json_on_the_order_channel(history, redis_db):
    _, order, rows = history
    pubsub = redis_db.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(order_events_channel(order.pk))
    try:
        order_event_publish(change_id=rows[2].pk)
        message = None
        for _ in range(50):
            message = pubsub.get_message(timeout=0.1)
            if message:
                break
        assert message is not None
        body = json.loads(message["data"])
        assert body == {
            "id": rows[2].pk,
            "order_id": order.pk,
            "vendor_order_id": rows[2].vendor_order_id,
            "from_status": "paid",
            "to_status": "processing",
            "order_status": "paid",
            "at": iso_utc(rows[2].created_at),
        }
    finally:
        pubsub.close()


def test_the_placing_of_an_order_is_not_broadcast_but_its_changes_are(redis_db):
    from shared_domain.orders.events import OrderStatusChanged
    from shared_domain.orders.handlers import broadcast_status

    customer = CustomerFactory.create()
    order = make_order(customer, status="paid")
    pubsub = redis_db.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(order_events_channel(order.pk))

    def event(change_id: int, from_status: str, to_status: str) -> OrderStatusChanged:
        return OrderStatusChanged(order_id=order.pk, vendor_order_id=None, change_id=change_id,
                                  from_status=from_status, to_status=to_status,
                                  order_status=to_status, at=order.placed_at)  # fmt: skip

    try:
        broadcast_status(event(1, "", "pending_payment"))
        broadcast_status(event(2, "pending_payment", "paid"))
        seen = []
        for _ in range(20):
            message = pubsub.get_message(timeout=0.1)
            if message:
                seen.append(json.loads(message["data"])["id"])
        assert seen == [2]
    finally:
        pubsub.close()
