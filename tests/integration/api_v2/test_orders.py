"""v2 orders: checkout with the v1 semantics (and `items`), the customer's orders, the
same JSON as v1, and an order's items and shipments read at the same time."""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import sync_to_async

from shared_domain.catalog.services import product_update
from shared_domain.orders import selectors, services
from shared_domain.orders.models import Order
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

pytestmark = pytest.mark.django_db(transaction=True)


async def asend(async_client, method, path, user=None, body=None, **headers):
    all_headers = {**(await sync_to_async(auth)(user) if user else {}), **headers}
    data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    return await getattr(async_client, method)(
        path, data=data, content_type="application/json", headers=all_headers
    )


async def place(async_client, user, body=None, key="key-1"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    body = {"shipping_address": ADDRESS} if body is None else body
    return await asend(async_client, "post", "/api/v2/orders", user, body, **headers)


def items(shop, **quantities):
    return [{"variant_id": shop["variants"][sku].pk, "quantity": q}
            for sku, q in quantities.items()]  # fmt: skip


@sync_to_async
def fill_cart(shop, customer, **quantities):
    for line in items(shop, **quantities):
        services.cart_item_add(customer=customer, **line)


@sync_to_async
def ship_first_part(shop, customer, order_id):
    services.order_mark_paid(order_id=order_id)
    part = selectors.order_view_for_customer(customer=customer, order_id=order_id).vendor_orders[0]
    services.vendor_order_ship(vendor=shop["ada"], vendor_order_id=part.id, carrier="local",
                               tracking_number="LC-7")  # fmt: skip


async def test_spec_step_7_checkout_of_the_cart(async_client, shop, customer):
    await fill_cart(shop, customer, **{"DR-RED-M": 2, "LS-BLU-L": 1})

    created = await place(async_client, customer)
    replay = await place(async_client, customer)
    conflict = await place(
        async_client, customer, {"shipping_address": {**ADDRESS, "city": "Ibadan"}}
    )

    assert created.status_code == 201, created.content
    order = created.json()
    assert_order_shape(order)
    assert (order["status"], order["total"], order["currency"]) == (
        "pending_payment",
        "65000.00",
        "NGN",
    )
    assert [p["vendor"]["id"] for p in order["vendor_orders"]] == [
        shop["ada"].vendor_profile.pk, shop["eko"].vendor_profile.pk,
    ]  # fmt: skip
    assert order["expires_at"] is not None
    assert (replay.status_code, replay.json()) == (200, order)
    assert (conflict.status_code, error(conflict)["code"]) == (409, "idempotency_conflict")
    assert await Order.objects.acount() == 1


async def test_items_are_ordered_instead_of_the_cart(async_client, shop, customer):
    await fill_cart(shop, customer, **{"LS-BLU-L": 1})
    body = {"shipping_address": ADDRESS, "items": items(shop, **{"DR-RED-M": 3})}

    response = await place(async_client, customer, body)

    assert response.status_code == 201, response.content
    [part] = response.json()["vendor_orders"]
    assert [(i["sku"], i["quantity"]) for i in part["items"]] == [("DR-RED-M", 3)]
    cart = await sync_to_async(selectors.cart_view)(customer=customer)
    assert [line.sku for line in cart.items] == ["LS-BLU-L"]
    assert await sync_to_async(stock_of)(shop["variants"]["DR-RED-M"]) == (5, 0, 3)


async def test_a_key_used_on_v1_gives_the_same_order_on_v2(async_client, client, shop, customer):
    await fill_cart(shop, customer, **{"DR-RED-M": 1})
    v1 = await sync_to_async(send)(client, "post", "/api/v1/checkout", customer,
                                   {"shipping_address": ADDRESS}, **{"Idempotency-Key": "shared"})  # fmt: skip
    v2 = await place(async_client, customer, key="shared")
    assert (v1.status_code, v2.status_code) == (201, 200)
    assert v2.json() == v1.json()


@pytest.mark.parametrize(
    ("body", "key", "status", "code", "field"),
    [
        (None, None, 400, "idempotency_key_required", None),
        ({"shipping_address": {**ADDRESS, "country": "Naija"}}, "k", 400, "validation_error",
         "shipping_address.country"),
        ({"shipping_address": ADDRESS, "coupon": "FREE"}, "k", 400, "validation_error", "coupon"),
        ({"shipping_address": "Lagos"}, "k", 400, "validation_error", "shipping_address"),
        ({"shipping_address": ADDRESS, "items": [{"variant_id": "1", "quantity": 1}]}, "k", 400,
         "validation_error", "items.0.variant_id"),
        ({"shipping_address": ADDRESS, "items": [{"variant_id": 1, "quantity": 0}]}, "k", 400,
         "validation_error", "items.0.quantity"),
        ({"shipping_address": ADDRESS, "items": []}, "k", 400, "validation_error", "items"),
        ({"shipping_address": ADDRESS}, "k", 400, "cart_empty", None),
    ],
)  # fmt: skip
async def test_bad_checkouts_are_refused(
    async_client, shop, customer, body, key, status, code, field
):
    response = await place(async_client, customer, body, key=key)
    assert (response.status_code, error(response)["code"]) == (status, code)
    if field:
        assert field in error(response)["details"]
    assert await Order.objects.acount() == 0


async def test_stock_currency_and_sale_conflicts(async_client, shop, customer):
    short = await place(async_client, customer,
                        {"shipping_address": ADDRESS, "items": items(shop, **{"DR-RED-L": 2})})  # fmt: skip
    await sync_to_async(product_update)(product=shop["shirt"], data={"currency": "USD"})
    mixed = await place(async_client, customer, {"shipping_address": ADDRESS,
                        "items": items(shop, **{"DR-RED-M": 1, "LS-BLU-L": 1})}, key="k2")  # fmt: skip
    from shared_domain.catalog.services import variant_deactivate

    await sync_to_async(variant_deactivate)(variant=shop["variants"]["DR-RED-M"])
    gone = await place(async_client, customer,
                       {"shipping_address": ADDRESS, "items": items(shop, **{"DR-RED-M": 1})}, key="k3")  # fmt: skip

    assert (short.status_code, error(short)["code"]) == (409, "out_of_stock")
    assert error(short)["details"]["variant_id"] == shop["variants"]["DR-RED-L"].pk
    assert error(short)["details"]["available"] == 1
    assert (mixed.status_code, error(mixed)["code"]) == (409, "currency_mismatch")
    assert (gone.status_code, error(gone)["code"]) == (409, "variant_unavailable")


async def test_who_may_check_out(async_client, shop):
    body = {"shipping_address": ADDRESS, "items": items(shop, **{"DR-RED-M": 1})}
    unverified = await sync_to_async(CustomerFactory.create)(email_verified=False)
    vendor = await sync_to_async(VendorFactory.create)()

    not_verified = await place(async_client, unverified, body)
    not_customer = await place(async_client, vendor, body)
    anonymous = await place(async_client, None, body)

    assert (not_verified.status_code, error(not_verified)["code"]) == (403, "email_not_verified")
    assert (not_customer.status_code, error(not_customer)["code"]) == (403, "permission_denied")
    assert (anonymous.status_code, error(anonymous)["code"]) == (401, "not_authenticated")


async def test_malformed_oversized_and_nul_bodies(async_client, customer):
    malformed = await place(async_client, customer, '{"shipping_address": ')
    nul = await place(async_client, customer, {"shipping_address": {**ADDRESS, "name": "A\u0000"}})
    big = await place(async_client, customer, '{"pad": "' + "x" * (2 * 1024 * 1024) + '"}')
    assert (malformed.status_code, error(malformed)["code"]) == (400, "malformed_json")
    assert nul.status_code == 400
    assert big.status_code == 413


async def test_list_and_detail_are_the_customers_own(async_client, shop, customer):
    first = (await place(async_client, customer, {"shipping_address": ADDRESS,
             "items": items(shop, **{"DR-RED-M": 1, "LS-BLU-L": 1})}, key="a")).json()  # fmt: skip
    second = (await place(async_client, customer, {"shipping_address": ADDRESS,
              "items": items(shop, **{"DR-RED-M": 1})}, key="b")).json()  # fmt: skip
    other = await sync_to_async(CustomerFactory.create)()

    listed = await asend(async_client, "get", "/api/v2/orders", customer)
    paged = await asend(async_client, "get", "/api/v2/orders?page_size=1", customer)
    bad = await asend(async_client, "get", "/api/v2/orders?page_size=101", customer)
    detail = await asend(async_client, "get", f"/api/v2/orders/{first['id']}", customer)
    hidden = await asend(async_client, "get", f"/api/v2/orders/{first['id']}", other)
    theirs = await asend(async_client, "get", "/api/v2/orders", other)

    assert listed.status_code == 200
    assert set(listed.json()) == {"items", "next_cursor"}
    assert [o["id"] for o in listed.json()["items"]] == [second["id"], first["id"]]
    assert all(set(o) == SUMMARY_FIELDS for o in listed.json()["items"])
    assert listed.json()["items"][1]["items_count"] == 2
    assert paged.json()["next_cursor"] is not None
    assert (bad.status_code, error(bad)["code"]) == (400, "validation_error")
    assert (detail.status_code, detail.json()) == (200, first)
    assert (hidden.status_code, error(hidden)["code"]) == (404, "not_found")
    assert theirs.json() == {"items": [], "next_cursor": None}


async def test_v1_and_v2_render_an_order_identically(async_client, client, shop, customer):
    placed = await place(async_client, customer, {"shipping_address": ADDRESS,
                         "items": items(shop, **{"DR-RED-M": 2, "LS-BLU-L": 1})})  # fmt: skip
    order_id = placed.json()["id"]
    await ship_first_part(shop, customer, order_id)

    v1 = await sync_to_async(send)(client, "get", f"/api/v1/orders/{order_id}", customer)
    v2 = await asend(async_client, "get", f"/api/v2/orders/{order_id}", customer)
    v1_list = await sync_to_async(send)(client, "get", "/api/v1/orders", customer)
    v2_list = await asend(async_client, "get", "/api/v2/orders", customer)

    assert v1.json()["vendor_orders"][0]["shipment"] is not None
    assert v1.json()["paid_at"] is not None
    assert v2.json() == v1.json()
    assert v2_list.json() == v1_list.json()


async def test_orders_render_the_bytes_their_schemas_would(async_client, shop, customer):
    """Orders are rendered straight from the read models: byte for byte what validating
    them against the declared schemas and rendering that gives (the shipment's own
    vendor order id left out, as the schema leaves it out)."""
    from async_service.api.orders_schemas import OrderOut, OrderPageOut
    from async_service.api.rendering import RENDERER
    from shared_domain.payments.selectors import order_detail_for_customer

    placed = await place(async_client, customer, {"shipping_address": ADDRESS,
                         "items": items(shop, **{"DR-RED-M": 2, "LS-BLU-L": 1})})  # fmt: skip
    order_id = placed.json()["id"]
    await ship_first_part(shop, customer, order_id)
    detail = await asend(async_client, "get", f"/api/v2/orders/{order_id}", customer)
    listed = await asend(async_client, "get", "/api/v2/orders", customer)

    def rendered(schema, model) -> str:
        data = schema.model_validate(model).model_dump()
        text: str = RENDERER.render(None, data, response_status=200)  # type: ignore[arg-type]
        return text

    order = await sync_to_async(order_detail_for_customer)(customer=customer, order_id=order_id)
    page = await sync_to_async(selectors.order_page_for_customer)(
        customer=customer, status=None, cursor=None, page_size=None
    )
    assert '"shipment":{' in detail.content.decode()
    assert "vendor_order_id" not in detail.content.decode()
    assert detail.content.decode() == rendered(OrderOut, order)
    assert listed.content.decode() == rendered(OrderPageOut, page)
    assert placed.content.decode().startswith('{"id":')


async def test_items_and_shipments_are_read_at_the_same_time(
    async_client, shop, customer, monkeypatch
):
    order_id = (await place(async_client, customer, {"shipping_address": ADDRESS,
                "items": items(shop, **{"DR-RED-M": 1})})).json()["id"]  # fmt: skip
    headers = await sync_to_async(auth)(customer)
    for name in ("order_items_of", "order_shipments_of"):
        real = getattr(selectors, name)

        def slow(*, _real=real, **kwargs):
            time.sleep(0.3)
            return _real(**kwargs)

        monkeypatch.setattr(selectors, name, slow)

    started = time.perf_counter()
    response = await async_client.get(f"/api/v2/orders/{order_id}", headers=headers)
    elapsed = time.perf_counter() - started

    def one_after_another():
        header = selectors.order_header_for_customer(customer=customer, order_id=order_id)
        selectors.order_items_of(order_id=order_id)
        selectors.order_shipments_of(vendor_order_ids=[p.pk for p in header.vendor_orders])

    started = time.perf_counter()
    await sync_to_async(one_after_another)()
    sequential = time.perf_counter() - started

    assert response.status_code == 200
    assert response.json()["id"] == order_id
    assert sequential >= 0.6, sequential  # the same parts read one after the other
    assert elapsed < 0.55, elapsed


async def test_orders_are_for_customers(async_client):
    vendor = await sync_to_async(VendorFactory.create)()
    for path in ("/api/v2/orders", "/api/v2/orders/1"):
        forbidden = await asend(async_client, "get", path, vendor)
        anonymous = await asend(async_client, "get", path)
        assert (forbidden.status_code, error(forbidden)["code"]) == (403, "permission_denied")
        assert (anonymous.status_code, error(anonymous)["code"]) == (401, "not_authenticated")


async def test_ids_beyond_any_row_are_not_errors_of_the_server(async_client, shop, customer):
    huge = 10**30
    body = {"shipping_address": ADDRESS, "items": [{"variant_id": huge, "quantity": 1}]}
    placed = await place(async_client, customer, body)
    detail = await asend(async_client, "get", f"/api/v2/orders/{huge}", customer)
    cursor = await asend(
        async_client, "get", "/api/v2/orders?cursor=MTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw", customer
    )
    assert (placed.status_code, error(placed)["code"]) == (400, "validation_error")
    assert detail.status_code == 404
    assert (cursor.status_code, cursor.json()["items"]) == (200, [])


async def test_list_and_detail_query_budgets(async_client, shop, customer, queries):
    for key in ("a", "b", "c"):
        await place(async_client, customer, {"shipping_address": ADDRESS,
                    "items": items(shop, **{"DR-RED-M": 1, "LS-BLU-L": 1})}, key=key)  # fmt: skip
    headers = await sync_to_async(auth)(customer)
    order_id = (await async_client.get("/api/v2/orders", headers=headers)).json()["items"][0]["id"]

    queries.clear()
    listed = await async_client.get("/api/v2/orders", headers=headers)
    list_queries = len(queries)
    queries.clear()
    detail = await async_client.get(f"/api/v2/orders/{order_id}", headers=headers)

    assert len(listed.json()["items"]) == 3
    assert list_queries == 2, queries  # user, orders with their item counts
    assert len(detail.json()["vendor_orders"]) == 2
    # user, order, vendor orders, store names, items, shipments, payments
    assert len(queries) == 7, queries
