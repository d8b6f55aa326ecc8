"""After checkout: payment outcomes, cancellation, expiry and fulfilment move orders
and stock together, and only along the state machine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shared_domain.common.errors import NotFound
from shared_domain.common.models import EventRecord
from shared_domain.inventory.models import Reservation
from shared_domain.orders import services
from shared_domain.orders.lifecycle import InvalidTransition, derive_order_status
from shared_domain.orders.models import Order, OrderStatusChange
from shared_domain.shipping.models import Shipment
from tests.integration.orders.conftest import ADDRESS, stock_of

pytestmark = pytest.mark.django_db


def _order(shop, customer, *skus_quantities, key="k"):
    items = [{"variant_id": shop["variants"][sku].pk, "quantity": q} for sku, q in skus_quantities]
    placed = services.order_place(
        customer=customer, idempotency_key=key, shipping_address=ADDRESS, items=items
    )
    return Order.objects.get(pk=placed.order_id)


def _part(order, vendor):
    return order.vendor_orders.get(vendor=vendor.vendor_profile)


def test_payment_turns_the_reservation_into_an_allocation(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 2))
    services.order_mark_paid(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "paid"
    assert order.paid_at is not None
    assert set(order.vendor_orders.values_list("status", flat=True)) == {"paid"}
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 2, 0)
    assert Reservation.objects.get(order_id=order.pk).status == "committed"


def test_marking_paid_twice_changes_nothing_the_second_time(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1))
    services.order_mark_paid(order_id=order.pk)
    changes = OrderStatusChange.objects.count()
    services.order_mark_paid(order_id=order.pk)
    assert OrderStatusChange.objects.count() == changes
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 1, 0)


def test_a_failed_payment_keeps_the_stock_for_another_attempt(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1))
    services.order_mark_payment_failed(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == "payment_failed"
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 1)
    services.order_mark_paid(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_cancelling_an_unpaid_order_releases_its_reservation(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 2), ("LS-BLU-L", 1))
    services.order_cancel(customer=customer, order_id=order.pk)
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "customer")
    assert set(order.vendor_orders.values_list("status", flat=True)) == {"cancelled"}
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 0)
    assert stock_of(shop["variants"]["LS-BLU-L"]) == (3, 0, 0)
    record = EventRecord.objects.get(event_type="orders.OrderCancelled")
    assert record.payload == {"order_id": order.pk, "reason": "customer", "was_paid": False}


def test_cancelling_a_paid_order_releases_its_allocation_and_asks_for_a_refund(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 2))
    services.order_mark_paid(order_id=order.pk)
    services.order_cancel(customer=customer, order_id=order.pk)
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 0)
    assert EventRecord.objects.get(event_type="orders.OrderCancelled").payload["was_paid"]


def test_a_cancelled_order_cannot_be_paid(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1))
    services.order_cancel(customer=customer, order_id=order.pk)
    with pytest.raises(InvalidTransition):
        services.order_mark_paid(order_id=order.pk)


def test_customers_cannot_cancel_others_orders(shop, customer):
    from tests.factories import CustomerFactory

    order = _order(shop, customer, ("DR-RED-M", 1))
    with pytest.raises(NotFound):
        services.order_cancel(customer=CustomerFactory.create(), order_id=order.pk)


def test_fulfilment_per_vendor_drives_the_order_status(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 2), ("LS-BLU-L", 1))
    services.order_mark_paid(order_id=order.pk)
    ada, eko = _part(order, shop["ada"]), _part(order, shop["eko"])

    services.vendor_order_process(vendor=shop["ada"], vendor_order_id=ada.pk)
    assert Order.objects.get(pk=order.pk).status == "processing"
    services.vendor_order_ship(
        vendor=shop["ada"], vendor_order_id=ada.pk, carrier="local", tracking_number="TRK-1"
    )
    assert stock_of(shop["variants"]["DR-RED-M"]) == (3, 0, 0)
    assert Shipment.objects.get(vendor_order=ada).tracking_number == "TRK-1"
    assert Order.objects.get(pk=order.pk).status == "processing"
    services.vendor_order_ship(
        vendor=shop["eko"], vendor_order_id=eko.pk, carrier="local", tracking_number="TRK-2"
    )
    assert Order.objects.get(pk=order.pk).status == "shipped"
    services.vendor_order_deliver(vendor=shop["ada"], vendor_order_id=ada.pk)
    assert Order.objects.get(pk=order.pk).status == "shipped"
    services.vendor_order_deliver(vendor=shop["eko"], vendor_order_id=eko.pk)
    assert Order.objects.get(pk=order.pk).status == "delivered"
    history = list(
        OrderStatusChange.objects.filter(order=order, vendor_order=None).values_list(
            "to_status", flat=True
        )
    )
    assert history == ["pending_payment", "paid", "processing", "shipped", "delivered"]
    changed = EventRecord.objects.filter(event_type="orders.OrderStatusChanged").count()
    assert changed == OrderStatusChange.objects.filter(order=order).count()


def test_a_shipped_order_cannot_be_cancelled(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1))
    services.order_mark_paid(order_id=order.pk)
    part = _part(order, shop["ada"])
    services.vendor_order_ship(
        vendor=shop["ada"], vendor_order_id=part.pk, carrier="local", tracking_number="T-9"
    )
    with pytest.raises(InvalidTransition):
        services.order_cancel(customer=customer, order_id=order.pk)


@pytest.mark.parametrize("action", ["process", "ship", "deliver"])
def test_unpaid_orders_cannot_be_fulfilled(shop, customer, action):
    order = _order(shop, customer, ("DR-RED-M", 1))
    part = _part(order, shop["ada"])
    extra = {"carrier": "local", "tracking_number": "X1"} if action == "ship" else {}
    act = getattr(services, f"vendor_order_{action}")
    with pytest.raises(InvalidTransition):
        act(vendor=shop["ada"], vendor_order_id=part.pk, **extra)


def test_delivery_before_shipping_is_refused(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1))
    services.order_mark_paid(order_id=order.pk)
    with pytest.raises(InvalidTransition):
        services.vendor_order_deliver(
            vendor=shop["ada"], vendor_order_id=_part(order, shop["ada"]).pk
        )


def test_a_vendor_cannot_touch_another_vendors_part(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1))
    services.order_mark_paid(order_id=order.pk)
    with pytest.raises(NotFound):
        services.vendor_order_process(
            vendor=shop["eko"], vendor_order_id=_part(order, shop["ada"]).pk
        )


def test_expiry_cancels_only_unpaid_orders_past_their_deadline(shop, customer):
    late = _order(shop, customer, ("DR-RED-M", 2), key="a")
    fresh = _order(shop, customer, ("DR-RED-M", 1), key="b")
    paid = _order(shop, customer, ("LS-BLU-L", 1), key="c")
    services.order_mark_paid(order_id=paid.pk)
    past = timezone.now() - timedelta(seconds=1)
    Order.objects.filter(pk__in=[late.pk, paid.pk]).update(expires_at=past)

    assert services.orders_expire() == 1
    assert services.orders_expire() == 0
    late.refresh_from_db()
    assert (late.status, late.cancel_reason) == ("cancelled", "payment_timeout")
    assert Order.objects.get(pk=fresh.pk).status == "pending_payment"
    assert Order.objects.get(pk=paid.pk).status == "paid"
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 1)


def test_the_expiry_task_is_scheduled_every_minute():
    from shared_domain.schedule import SCHEDULE

    job = next(j for j in SCHEDULE if j.task == "shared_domain.orders.tasks.expire_unpaid_orders")
    assert job.cron == "* * * * *"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["paid", "paid"], "paid"),
        (["processing", "paid"], "processing"),
        (["shipped", "paid"], "processing"),
        (["shipped", "delivered"], "shipped"),
        (["delivered", "delivered"], "delivered"),
    ],
)
def test_the_order_status_rule(parts, expected):
    assert derive_order_status(parts) == expected


def _delivered(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1), key="rev")
    services.order_mark_paid(order_id=order.pk)
    part = _part(order, shop["ada"])
    services.vendor_order_ship(
        vendor=shop["ada"], vendor_order_id=part.pk, carrier="local", tracking_number="REV-1"
    )
    return order, part


def test_a_delivered_item_is_reviewed_once_and_rates_the_product(shop, customer):
    from shared_domain.catalog.errors import AlreadyReviewed
    from shared_domain.catalog.models import Product
    from shared_domain.orders.errors import NotDelivered

    order, part = _delivered(shop, customer)
    item = order.items.get()
    with pytest.raises(NotDelivered):
        services.order_item_review(
            customer=customer, order_id=order.pk, item_id=item.pk, rating=5, text="Lovely"
        )
    services.vendor_order_deliver(vendor=shop["ada"], vendor_order_id=part.pk)
    review = services.order_item_review(
        customer=customer, order_id=order.pk, item_id=item.pk, rating=4, text="<b>Lovely</b>"
    )
    assert (review.rating, review.text) == (4, "<b>Lovely</b>")
    product = Product.objects.get(pk=shop["dress"].pk)
    assert (product.rating_count, product.rating_avg) == (1, 4)
    with pytest.raises(AlreadyReviewed):
        services.order_item_review(
            customer=customer, order_id=order.pk, item_id=item.pk, rating=1, text="Again"
        )


def test_only_the_buyer_reviews_an_item(shop, customer):
    from tests.factories import CustomerFactory

    order, part = _delivered(shop, customer)
    services.vendor_order_deliver(vendor=shop["ada"], vendor_order_id=part.pk)
    with pytest.raises(NotFound):
        services.order_item_review(
            customer=CustomerFactory.create(), order_id=order.pk,
            item_id=order.items.get().pk, rating=5, text="",
        )  # fmt: skip


def test_a_carrier_reporting_delivery_delivers_the_vendor_order(
    shop, customer, django_capture_on_commit_callbacks
):
    from shared_domain.shipping.services import tracking_event_record

    order, part = _delivered(shop, customer)
    with django_capture_on_commit_callbacks(execute=True):
        tracking_event_record(
            carrier="local", tracking_number="REV-1", status="delivered",
            occurred_at=timezone.now(), external_id="evt-1",
        )  # fmt: skip
    assert Order.objects.get(pk=order.pk).status == "delivered"
    services.vendor_order_mark_delivered(vendor_order_id=part.pk)  # again: nothing changes
    assert OrderStatusChange.objects.filter(order=order, to_status="delivered").count() == 2


def test_a_late_failed_payment_report_changes_nothing(shop, customer):
    order = _order(shop, customer, ("DR-RED-M", 1))
    services.order_mark_paid(order_id=order.pk)
    changes = OrderStatusChange.objects.count()
    services.order_mark_payment_failed(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert OrderStatusChange.objects.count() == changes
    services.order_cancel(customer=customer, order_id=order.pk)
    services.order_mark_payment_failed(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_a_multi_vendor_cancellation_closes_the_live_stream_only_at_its_end(shop, customer):
    from shared_domain.orders.live import closes, order_status_events

    order = _order(shop, customer, ("DR-RED-M", 1), ("LS-BLU-L", 1))
    services.order_cancel(customer=customer, order_id=order.pk)
    events = order_status_events(customer=customer, order_id=order.pk)
    assert [closes(e) for e in events] == [False, False, False, True]
    parts = [e for e in events if e.vendor_order_id is not None]
    assert {e.order_status for e in parts} == {"pending_payment"}
    assert (events[-1].vendor_order_id, events[-1].order_status) == (None, "cancelled")
