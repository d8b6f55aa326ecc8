"""v1 vendor back office orders: a vendor sees and fulfils only its own parts (SPEC §8
step 9), never another vendor's lines; illegal transitions are 409."""

from __future__ import annotations

import pytest

from shared_domain.orders import services
from tests.factories import StaffFactory, VendorFactory
from tests.http import error
from tests.integration.orders_api import (
    ADDRESS,
    ITEM_FIELDS,
    SHIPMENT_FIELDS,
    VENDOR_ROW_FIELDS,
    auth,
    send,
    stock_of,
)

pytestmark = pytest.mark.django_db


def place(shop, customer, key="k", paid=True):
    v = shop["variants"]
    order_id = services.order_place(
        customer=customer, idempotency_key=key, shipping_address=ADDRESS,
        items=[{"variant_id": v["DR-RED-M"].pk, "quantity": 2},
               {"variant_id": v["LS-BLU-L"].pk, "quantity": 1}],
    ).order_id  # fmt: skip
    if paid:
        services.order_mark_paid(order_id=order_id)
    return order_id


def part_of(client, vendor):
    return send(client, "get", "/api/v1/vendor/orders", vendor).json()["items"][0]


def test_the_vendor_sees_only_its_part(client, shop, customer):
    order_id = place(shop, customer)

    response = send(client, "get", "/api/v1/vendor/orders", shop["ada"])

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "next_cursor"}
    [row] = body["items"]
    assert set(row) == VENDOR_ROW_FIELDS
    assert (row["order_id"], row["status"], row["currency"]) == (order_id, "paid", "NGN")
    assert row["order_number"].startswith("FS-")
    assert (row["subtotal"], row["commission_rate"], row["commission_amount"],
            row["vendor_payout"]) == ("50000.00", "0.1000", "5000.00", "45000.00")  # fmt: skip
    assert row["shipping_address"]["city"] == "Lagos"
    assert [i["sku"] for i in row["items"]] == ["DR-RED-M"]
    assert all(set(i) == ITEM_FIELDS for i in row["items"])
    assert row["shipment"] is None
    assert send(client, "get", f"/api/v1/vendor/orders/{row['id']}", shop["ada"]).json() == row
    eko = part_of(client, shop["eko"])
    assert [i["sku"] for i in eko["items"]] == ["LS-BLU-L"]


def test_spec_step_9_process_ship_deliver(client, shop, customer):
    place(shop, customer)
    part = part_of(client, shop["ada"])
    base = f"/api/v1/vendor/orders/{part['id']}"

    processed = send(client, "post", f"{base}/process", shop["ada"])
    shipped = send(client, "post", f"{base}/ship", shop["ada"],
                   {"carrier": "local", "tracking_number": "LC-1001"})  # fmt: skip
    delivered = send(client, "post", f"{base}/deliver", shop["ada"])

    assert (processed.status_code, processed.json()["status"]) == (200, "processing")
    assert shipped.status_code == 200, shipped.content
    assert set(shipped.json()) == VENDOR_ROW_FIELDS
    shipment = shipped.json()["shipment"]
    assert set(shipment) == SHIPMENT_FIELDS
    assert (shipment["carrier"], shipment["tracking_number"], shipment["status"]) == (
        "local", "LC-1001", "in_transit",
    )  # fmt: skip
    assert shipment["shipped_at"]
    assert shipment["delivered_at"] is None
    assert stock_of(shop["variants"]["DR-RED-M"]) == (3, 0, 0)
    assert delivered.status_code == 200
    assert delivered.json()["status"] == "delivered"
    assert delivered.json()["shipment"]["status"] == "delivered"
    assert delivered.json()["shipment"]["delivered_at"] is not None
    order = send(client, "get", f"/api/v1/orders/{part['order_id']}", customer).json()
    assert [p["status"] for p in order["vendor_orders"]] == ["delivered", "paid"]
    assert order["status"] == "processing"


def test_illegal_transitions_are_conflicts(client, shop, customer):
    place(shop, customer, paid=False)
    part = part_of(client, shop["ada"])
    base = f"/api/v1/vendor/orders/{part['id']}"
    unpaid = send(client, "post", f"{base}/process", shop["ada"])
    services.order_mark_paid(order_id=part["order_id"])
    early = send(client, "post", f"{base}/deliver", shop["ada"])
    assert (unpaid.status_code, error(unpaid)["code"]) == (409, "invalid_transition")
    assert (early.status_code, error(early)["code"]) == (409, "invalid_transition")
    assert error(early)["details"] == {"status": "paid", "requested": "delivered"}
    send(
        client, "post", f"{base}/ship", shop["ada"], {"carrier": "local", "tracking_number": "A1"}
    )
    twice = send(client, "post", f"{base}/ship", shop["ada"],
                 {"carrier": "local", "tracking_number": "A2"})  # fmt: skip
    assert (twice.status_code, error(twice)["code"]) == (409, "invalid_transition")


def test_another_vendors_order_is_not_found(client, shop, customer):
    place(shop, customer)
    part = part_of(client, shop["ada"])
    base = f"/api/v1/vendor/orders/{part['id']}"
    stranger = VendorFactory.create()
    for vendor in (shop["eko"], stranger):
        for method, path, body in [
            ("get", base, None),
            ("post", f"{base}/process", None),
            ("post", f"{base}/ship", {"carrier": "local", "tracking_number": "X"}),
            ("post", f"{base}/ship", {"bad": "body"}),
            ("post", f"{base}/deliver", None),
        ]:
            response = send(client, method, path, vendor, body)
            assert (response.status_code, error(response)["code"]) == (404, "not_found")
    assert send(client, "get", "/api/v1/vendor/orders", stranger).json()["items"] == []
    assert part_of(client, shop["ada"])["status"] == "paid"


def test_ship_needs_a_carrier_and_a_tracking_number(client, shop, customer):
    place(shop, customer)
    part = part_of(client, shop["ada"])
    path = f"/api/v1/vendor/orders/{part['id']}/ship"
    for body, field in [({"carrier": "local"}, "tracking_number"),
                        ({"carrier": "x" * 33, "tracking_number": "1"}, "carrier"),
                        ({"carrier": "local", "tracking_number": 5}, "tracking_number"),
                        ({"carrier": "local", "tracking_number": "1", "eta": "soon"}, "eta")]:  # fmt: skip
        response = send(client, "post", path, shop["ada"], body)
        assert (response.status_code, error(response)["code"]) == (400, "validation_error")
        assert list(error(response)["details"]) == [field]
    assert part_of(client, shop["ada"])["status"] == "paid"


def test_the_list_filters_pages_and_costs_a_fixed_number_of_queries(
    client, shop, customer, django_assert_num_queries
):
    for n in range(2):
        place(shop, customer, f"k{n}")
    first = part_of(client, shop["ada"])
    send(client, "post", f"/api/v1/vendor/orders/{first['id']}/process", shop["ada"])
    headers = auth(shop["ada"])

    # user with profiles, vendor orders with their orders, items, shipments
    with django_assert_num_queries(4):
        page1 = client.get("/api/v1/vendor/orders?page_size=1", headers=headers).json()
    page2 = client.get(f"/api/v1/vendor/orders?page_size=1&cursor={page1['next_cursor']}",
                       headers=headers).json()  # fmt: skip
    processing = client.get("/api/v1/vendor/orders?status=processing", headers=headers).json()
    bad = client.get("/api/v1/vendor/orders?page_size=500", headers=headers)

    assert len(page1["items"]) == 1
    assert page2["next_cursor"] is None
    assert page1["items"][0]["id"] > page2["items"][0]["id"]
    assert [row["id"] for row in processing["items"]] == [first["id"]]
    assert (bad.status_code, error(bad)["code"]) == (400, "validation_error")


def test_vendor_orders_are_for_vendors(client, shop, customer):
    place(shop, customer)
    part_id = part_of(client, shop["ada"])["id"]
    for user in (customer, StaffFactory.create()):
        for method, path in [("get", "/api/v1/vendor/orders"),
                             ("get", f"/api/v1/vendor/orders/{part_id}"),
                             ("post", f"/api/v1/vendor/orders/{part_id}/process")]:  # fmt: skip
            response = send(client, method, path, user)
            assert (response.status_code, error(response)["code"]) == (403, "permission_denied")
    anonymous = send(client, "get", "/api/v1/vendor/orders")
    assert (anonymous.status_code, error(anonymous)["code"]) == (401, "not_authenticated")


def test_a_tracking_number_in_use_is_a_conflict_and_changes_nothing(client, shop, customer):
    place(shop, customer)
    ada, eko = part_of(client, shop["ada"]), part_of(client, shop["eko"])
    body = {"carrier": "local", "tracking_number": "LC-SAME"}
    first = send(client, "post", f"/api/v1/vendor/orders/{ada['id']}/ship", shop["ada"], body)

    second = send(client, "post", f"/api/v1/vendor/orders/{eko['id']}/ship", shop["eko"], body)

    assert first.status_code == 200
    assert (second.status_code, error(second)["code"]) == (409, "tracking_number_taken")
    assert (part_of(client, shop["eko"])["status"], part_of(client, shop["eko"])["shipment"]) == (
        "paid", None,
    )  # fmt: skip
    assert stock_of(shop["variants"]["LS-BLU-L"]) == (3, 1, 0)
