"""v1 customer orders: list (filters, cursor pages, query budget), detail (query
budget, other customers' are 404), cancellation."""

from __future__ import annotations

import pytest

from shared_domain.orders import services
from shared_domain.orders.selectors import order_view_for_customer
from tests.factories import CustomerFactory, VendorFactory
from tests.http import error
from tests.integration.orders_api import (
    ADDRESS,
    SUMMARY_FIELDS,
    assert_order_shape,
    auth,
    send,
    stock_of,
)

pytestmark = pytest.mark.django_db


def place(shop, customer, key="k", **quantities):
    items = [{"variant_id": shop["variants"][sku].pk, "quantity": q}
             for sku, q in (quantities or {"DR-RED-M": 1}).items()]  # fmt: skip
    return services.order_place(
        customer=customer, idempotency_key=key, shipping_address=ADDRESS, items=items
    ).order_id


def ship_all(shop, customer, order_id):
    """Pay the order and have every vendor ship its part."""
    services.order_mark_paid(order_id=order_id)
    vendors = {shop[name].vendor_profile.pk: shop[name] for name in ("ada", "eko")}
    view = order_view_for_customer(customer=customer, order_id=order_id)
    for part in view.vendor_orders:
        services.vendor_order_ship(vendor=vendors[part.vendor.id], vendor_order_id=part.id,
                                   carrier="local", tracking_number=f"T-{part.id}")  # fmt: skip


def test_the_list_shows_the_customers_orders_newest_first(client, shop, customer):
    first = place(shop, customer, "a", **{"DR-RED-M": 2, "LS-BLU-L": 1})
    second = place(shop, customer, "b")
    place(shop, CustomerFactory.create(), "c")

    response = send(client, "get", "/api/v1/orders", customer)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "next_cursor"}
    assert [o["id"] for o in body["items"]] == [second, first]
    assert all(set(o) == SUMMARY_FIELDS for o in body["items"])
    row = body["items"][1]
    assert (row["status"], row["total"], row["currency"], row["items_count"]) == (
        "pending_payment", "65000.00", "NGN", 2,
    )  # fmt: skip
    assert body["next_cursor"] is None


def test_the_list_filters_by_status_and_pages_by_cursor(client, shop, customer):
    ids = [place(shop, customer, f"k{n}") for n in range(3)]
    services.order_cancel(customer=customer, order_id=ids[0])

    cancelled = send(client, "get", "/api/v1/orders?status=cancelled", customer).json()
    page1 = send(client, "get", "/api/v1/orders?page_size=2", customer).json()
    page2 = send(client, "get", f"/api/v1/orders?page_size=2&cursor={page1['next_cursor']}",
                 customer).json()  # fmt: skip

    assert [o["id"] for o in cancelled["items"]] == [ids[0]]
    assert [o["id"] for o in page1["items"]] == [ids[2], ids[1]]
    assert [o["id"] for o in page2["items"]] == [ids[0]]
    assert page2["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [("page_size=101", "page_size"), ("page_size=0", "page_size"), ("page_size=x", "page_size"),
     ("status=lost", "status"), ("cursor=%21%21", "cursor")],
)  # fmt: skip
def test_bad_list_parameters_are_validation_errors(client, customer, query, field):
    response = send(client, "get", f"/api/v1/orders?{query}", customer)
    assert (response.status_code, error(response)["code"]) == (400, "validation_error")
    assert field in error(response)["details"]


def test_the_list_costs_two_queries_whatever_its_length(
    client, shop, customer, django_assert_num_queries
):
    for n in range(5):
        place(shop, customer, f"k{n}", **{"DR-RED-M": 1, "DR-RED-L": 1} if n == 0 else {})
    headers = auth(customer)
    with django_assert_num_queries(2):  # user, orders with their item counts
        response = client.get("/api/v1/orders", headers=headers)
    assert len(response.json()["items"]) == 5


def test_the_detail_is_the_order_json(client, shop, customer, django_assert_num_queries):
    order_id = place(shop, customer, **{"DR-RED-M": 1, "LS-BLU-L": 2})
    headers = auth(customer)
    # user, order, vendor orders, store names, items, shipments, payments
    with django_assert_num_queries(7):
        response = client.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert response.status_code == 200
    order = response.json()
    assert_order_shape(order)
    assert order["id"] == order_id
    assert [len(part["items"]) for part in order["vendor_orders"]] == [1, 1]
    assert order["payments"] == []


def test_another_customers_order_is_not_found(client, shop, customer):
    order_id = place(shop, customer)
    other = CustomerFactory.create()
    detail = send(client, "get", f"/api/v1/orders/{order_id}", other)
    cancel = send(client, "post", f"/api/v1/orders/{order_id}/cancel", other)
    missing = send(client, "get", "/api/v1/orders/99999999", customer)
    assert (detail.status_code, error(detail)["code"]) == (404, "not_found")
    assert (cancel.status_code, error(cancel)["code"]) == (404, "not_found")
    assert missing.status_code == 404
    assert send(client, "get", "/api/v1/orders", other).json()["items"] == []


def test_cancel_releases_the_stock(client, shop, customer):
    order_id = place(shop, customer, **{"DR-RED-M": 2})
    response = send(client, "post", f"/api/v1/orders/{order_id}/cancel", customer)
    assert response.status_code == 200
    order = response.json()
    assert_order_shape(order)
    assert (order["status"], order["cancel_reason"], order["expires_at"]) == (
        "cancelled", "customer", None,
    )  # fmt: skip
    assert {p["status"] for p in order["vendor_orders"]} == {"cancelled"}
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 0)
    again = send(client, "post", f"/api/v1/orders/{order_id}/cancel", customer)
    assert (again.status_code, error(again)["code"]) == (409, "invalid_transition")


def test_a_shipped_order_cannot_be_cancelled(client, shop, customer):
    order_id = place(shop, customer)
    ship_all(shop, customer, order_id)
    response = send(client, "post", f"/api/v1/orders/{order_id}/cancel", customer)
    assert (response.status_code, error(response)["code"]) == (409, "invalid_transition")
    shown = send(client, "get", f"/api/v1/orders/{order_id}", customer).json()
    assert shown["status"] == "shipped"
    assert shown["paid_at"] is not None
    assert shown["vendor_orders"][0]["shipment"]["carrier"] == "local"


def test_orders_are_for_customers(client):
    vendor = VendorFactory.create()
    for method, path in [("get", "/api/v1/orders"), ("get", "/api/v1/orders/1"),
                         ("post", "/api/v1/orders/1/cancel")]:  # fmt: skip
        forbidden = send(client, method, path, vendor)
        anonymous = send(client, method, path)
        assert (forbidden.status_code, error(forbidden)["code"]) == (403, "permission_denied")
        assert (anonymous.status_code, error(anonymous)["code"]) == (401, "not_authenticated")


def _delivered_item(shop, customer):
    order_id = place(shop, customer, "rv")
    ship_all(shop, customer, order_id)
    view = order_view_for_customer(customer=customer, order_id=order_id)
    part = view.vendor_orders[0]
    services.vendor_order_deliver(vendor=shop["ada"], vendor_order_id=part.id)
    return order_id, part.items[0].id


def test_the_buyer_reviews_a_delivered_item_once(client, shop, customer):
    order_id, item_id = _delivered_item(shop, customer)
    path = f"/api/v1/orders/{order_id}/items/{item_id}/review"

    created = send(client, "post", path, customer, {"rating": 5, "text": "Fits <b>well</b>"})

    assert created.status_code == 201, created.content
    assert set(created.json()) == {"id", "rating", "text", "author_name", "created_at"}
    assert created.json()["text"] == "Fits <b>well</b>"
    again = send(client, "post", path, customer, {"rating": 1, "text": "again"})
    assert (again.status_code, error(again)["code"]) == (409, "already_reviewed")
    reviews = client.get(f"/api/v1/products/{shop['dress'].pk}/reviews").json()
    assert [r["rating"] for r in reviews["items"]] == [5]
    detail = client.get(f"/api/v1/products/{shop['dress'].pk}").json()
    assert detail["reviews_count"] == 1
    listed = send(client, "get", f"/api/v1/orders/{order_id}", customer).json()
    assert listed["vendor_orders"][0]["items"][0]["reviewed"] is True


def test_reviews_need_a_delivered_item_of_your_own(client, shop, customer):
    order_id = place(shop, customer, "nd")
    view = order_view_for_customer(customer=customer, order_id=order_id)
    path = f"/api/v1/orders/{order_id}/items/{view.vendor_orders[0].items[0].id}/review"
    undelivered = send(client, "post", path, customer, {"rating": 4, "text": ""})
    assert (undelivered.status_code, error(undelivered)["code"]) == (409, "not_delivered")
    other = send(client, "post", path, CustomerFactory.create(), {"rating": 4, "text": ""})
    assert other.status_code == 404
    vendor = send(client, "post", path, VendorFactory.create(), {"rating": 4, "text": ""})
    assert vendor.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 6, "text": ""}, "rating"),
        ({"rating": 0, "text": ""}, "rating"),
        ({"rating": 3, "text": "x" * 2049}, "text"),
        ({"rating": 3}, "text"),
        ({"rating": 3, "text": "ok", "author": "me"}, "author"),
    ],
)
def test_bad_reviews_are_validation_errors(client, shop, customer, body, field):
    order_id, item_id = _delivered_item(shop, customer)
    bad = send(client, "post", f"/api/v1/orders/{order_id}/items/{item_id}/review", customer, body)
    assert (bad.status_code, error(bad)["code"]) == (400, "validation_error")
    assert field in error(bad)["details"]
