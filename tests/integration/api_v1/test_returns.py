"""v1 returns: a customer sends back units of a delivered item (structured reason,
quantity bounded by what was delivered and not yet returned), lists them per order;
the vendor lists the returns of its parts. The ReturnRequested event is published in
the same transaction and moves the sizing context's fit outcome of the item."""

from __future__ import annotations

import pytest

from shared_domain.common.models import EventRecord
from shared_domain.orders import services
from shared_domain.orders.models import Order
from shared_domain.sizing.models import FitOutcome, ProductFitSignal
from tests.factories import CustomerFactory
from tests.http import error
from tests.integration.orders_api import ADDRESS, auth, send

pytestmark = pytest.mark.django_db

RETURN_FIELDS = {
    "id", "order_id", "vendor_order_id", "item_id", "product_id", "variant_id", "title",
    "sku", "size", "quantity", "reason", "comment", "created_at",
}  # fmt: skip


def delivered(shop, customer, quantity=2, *, deliver=True, key="ret"):
    """An order of `quantity` dresses (M), paid, shipped and (by default) delivered."""
    placed = services.order_place(
        customer=customer, idempotency_key=key, shipping_address=ADDRESS,
        items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": quantity}],
    )  # fmt: skip
    order = Order.objects.get(pk=placed.order_id)
    services.order_mark_paid(order_id=order.pk)
    part = order.vendor_orders.get()
    services.vendor_order_ship(vendor=shop["ada"], vendor_order_id=part.pk, carrier="local",
                               tracking_number=f"R-{order.pk}")  # fmt: skip
    if deliver:
        services.vendor_order_deliver(vendor=shop["ada"], vendor_order_id=part.pk)
    return order, order.items.get()


def test_a_customer_returns_units_of_a_delivered_item(
    client, shop, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order, item = delivered(shop, customer)
    # Delivered = kept until a return says otherwise.
    outcome = FitOutcome.objects.get(order_item_id=item.pk)
    assert (outcome.size_label, outcome.kept, outcome.too_small) == ("M", 2, 0)
    assert ProductFitSignal.objects.get(product_id=shop["dress"].pk).kept == 2

    body = {"item_id": item.pk, "quantity": 1, "reason": "too_small", "comment": "Tight."}
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "post", f"/api/v1/orders/{order.pk}/returns", customer, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == RETURN_FIELDS
    assert (created["item_id"], created["quantity"], created["reason"], created["size"]) == (
        item.pk, 1, "too_small", "M",
    )  # fmt: skip
    record = EventRecord.objects.filter(event_type="orders.ReturnRequested").get()
    assert record.payload["product_id"] == shop["dress"].pk
    assert record.payload["variant_id"] == shop["variants"]["DR-RED-M"].pk
    assert (record.payload["size_label"], record.payload["reason"]) == ("M", "too_small")
    assert record.payload["customer_id"] == customer.pk
    outcome.refresh_from_db()
    assert (outcome.kept, outcome.too_small, outcome.too_large) == (1, 1, 0)
    signal = ProductFitSignal.objects.get(product_id=shop["dress"].pk)
    assert (signal.kept, signal.too_small, signal.too_large) == (1, 1, 0)

    listed = send(client, "get", f"/api/v1/orders/{order.pk}/returns", customer)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == [created["id"]]


def test_the_fit_outcome_refresh_is_idempotent(shop, customer, django_capture_on_commit_callbacks):
    from shared_domain.sizing.outcomes import fit_outcomes_refresh

    with django_capture_on_commit_callbacks(execute=True):
        order, item = delivered(shop, customer, 3)
        services.return_request(customer=customer, order_id=order.pk,
                                data={"item_id": item.pk, "quantity": 2, "reason": "too_large"})  # fmt: skip
    before = list(ProductFitSignal.objects.values_list("kept", "too_small", "too_large"))
    assert before == [(1, 0, 2)]
    # A handler run again (at least once delivery) changes nothing.
    assert fit_outcomes_refresh(item_ids=[item.pk]) == 0
    assert fit_outcomes_refresh(vendor_order_id=item.vendor_order_id) == 0
    assert list(ProductFitSignal.objects.values_list("kept", "too_small", "too_large")) == before


def test_errors_of_a_return(client, shop, customer):
    order, item = delivered(shop, customer, 2)
    url = f"/api/v1/orders/{order.pk}/returns"

    def post(body, user=customer):
        return send(client, "post", url.replace(str(order.pk), str(body.pop("_order", order.pk))),
                    user, body)  # fmt: skip

    bad = post({"item_id": item.pk, "reason": "ugly"})
    assert bad.status_code == 400
    assert "reason" in error(bad)["details"]
    long = post({"item_id": item.pk, "reason": "other", "comment": "é" * 513})
    assert long.status_code == 400
    assert "comment" in error(long)["details"]
    assert post({"item_id": item.pk, "reason": "other", "quantity": 0}).status_code == 400
    assert post({"item_id": item.pk, "reason": "other", "extra": 1}).status_code == 400
    # Another customer's order, an unknown item: 404 (nothing revealed).
    other = post({"item_id": item.pk, "reason": "other"}, CustomerFactory.create())
    assert other.status_code == 404
    assert post({"item_id": item.pk + 999, "reason": "other"}).status_code == 404
    assert send(client, "get", url, CustomerFactory.create()).status_code == 404
    # More than delivered less already returned: 409 with what is left.
    assert post({"item_id": item.pk, "reason": "other", "quantity": 3}).status_code == 409
    assert post({"item_id": item.pk, "reason": "too_large"}).status_code == 201
    over = post({"item_id": item.pk, "reason": "other", "quantity": 2})
    assert over.status_code == 409
    assert error(over)["code"] == "return_quantity_exceeded"
    assert error(over)["details"]["returnable"] == 1
    assert post({"item_id": item.pk, "reason": "other"}).status_code == 201
    # Anonymous and vendors cannot.
    assert client.post(url, data="{}", content_type="application/json").status_code == 401
    assert send(client, "post", url, shop["ada"], {"item_id": item.pk, "reason": "other"}
                ).status_code == 403  # fmt: skip


def test_an_item_not_delivered_cannot_be_returned(client, shop, customer):
    order, item = delivered(shop, customer, 1, deliver=False)
    response = send(client, "post", f"/api/v1/orders/{order.pk}/returns", customer,
                    {"item_id": item.pk, "reason": "too_small"})  # fmt: skip
    assert response.status_code == 409
    assert error(response)["code"] == "not_returnable"
    assert error(response)["details"] == {"status": "shipped"}


def test_the_vendor_lists_returns_of_its_parts(client, shop, customer, django_assert_num_queries):
    order, item = delivered(shop, customer, 2)
    for reason in ("too_small", "not_as_described"):
        services.return_request(customer=customer, order_id=order.pk,
                                data={"item_id": item.pk, "reason": reason})  # fmt: skip
    headers = auth(shop["ada"])
    with django_assert_num_queries(3):  # the user, their store, the returns with items
        response = client.get("/api/v1/vendor/returns?page_size=1", headers=headers)
    assert response.status_code == 200
    page = response.json()
    assert [r["reason"] for r in page["items"]] == ["not_as_described"]
    assert set(page["items"][0]) == RETURN_FIELDS
    rest = client.get(f"/api/v1/vendor/returns?cursor={page['next_cursor']}", headers=headers)
    assert [r["reason"] for r in rest.json()["items"]] == ["too_small"]
    assert rest.json()["next_cursor"] is None
    # Another vendor sees none; a customer is refused.
    assert client.get("/api/v1/vendor/returns", headers=auth(shop["eko"])).json()["items"] == []
    assert client.get("/api/v1/vendor/returns", headers=auth(customer)).status_code == 403
