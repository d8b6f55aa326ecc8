"""v1 cart: SPEC §8 step 6 shapes, the customer's own lines only, errors, guards."""

from __future__ import annotations

import pytest

from shared_domain.catalog.services import product_update, variant_stock_set
from tests.factories import CustomerFactory, StaffFactory, VendorFactory
from tests.http import error
from tests.integration.orders_api import LINE_FIELDS, auth, send

pytestmark = pytest.mark.django_db


def _add(client, customer, variant, quantity=2):
    return send(client, "post", "/api/v1/cart/items", customer,
                {"variant_id": variant.pk, "quantity": quantity})  # fmt: skip


def test_spec_step_6_add_then_read_the_cart(client, shop, customer):
    dress = shop["variants"]["DR-RED-M"]

    added = _add(client, customer, dress)
    cart = send(client, "get", "/api/v1/cart", customer)

    assert added.status_code == 201, added.content
    line = added.json()
    assert set(line) == LINE_FIELDS
    assert line["variant_id"] == dress.pk
    assert line["product_id"] == shop["dress"].pk
    assert (line["quantity"], line["unit_price"], line["line_total"]) == (
        2,
        "25000.00",
        "50000.00",
    )
    assert (line["currency"], line["available"], line["problem"]) == ("NGN", 5, None)
    assert (line["sku"], line["size"], line["colour"]) == ("DR-RED-M", "M", "red")
    assert cart.status_code == 200
    body = cart.json()
    assert set(body) == {"items", "subtotal", "currency", "count"}
    assert body["items"] == [line]
    assert (body["subtotal"], body["currency"], body["count"]) == ("50000.00", "NGN", 1)


def test_an_empty_cart(client, customer):
    response = send(client, "get", "/api/v1/cart", customer)
    assert response.json() == {"items": [], "subtotal": "0.00", "currency": "", "count": 0}


def test_adding_again_adds_to_the_line(client, shop, customer):
    dress = shop["variants"]["DR-RED-M"]
    first = _add(client, customer, dress, 1).json()
    second = _add(client, customer, dress, 2).json()
    assert second["id"] == first["id"]
    assert second["quantity"] == 3


def test_change_and_remove_a_line(client, shop, customer):
    line = _add(client, customer, shop["variants"]["DR-RED-M"]).json()
    path = f"/api/v1/cart/items/{line['id']}"

    changed = send(client, "patch", path, customer, {"quantity": 4})
    removed = send(client, "delete", path, customer)

    assert changed.status_code == 200
    assert set(changed.json()) == LINE_FIELDS
    assert (changed.json()["quantity"], changed.json()["line_total"]) == (4, "100000.00")
    assert removed.status_code == 204
    assert send(client, "get", "/api/v1/cart", customer).json()["count"] == 0
    assert send(client, "delete", path, customer).status_code == 404


def test_another_customers_line_is_not_found(client, shop, customer):
    line = _add(client, customer, shop["variants"]["DR-RED-M"]).json()
    other = CustomerFactory.create()
    path = f"/api/v1/cart/items/{line['id']}"

    patched = send(client, "patch", path, other, {"quantity": 1})
    deleted = send(client, "delete", path, other)

    assert (patched.status_code, error(patched)["code"]) == (404, "not_found")
    assert (deleted.status_code, error(deleted)["code"]) == (404, "not_found")
    assert send(client, "get", "/api/v1/cart", other).json()["items"] == []
    assert send(client, "get", "/api/v1/cart", customer).json()["items"][0]["quantity"] == 2


def test_more_than_available_is_out_of_stock(client, shop, customer):
    dress = shop["variants"]["DR-RED-M"]
    response = _add(client, customer, dress, 6)
    assert response.status_code == 409
    assert error(response)["code"] == "out_of_stock"
    assert error(response)["details"] == {"variant_id": dress.pk, "available": 5}
    line = _add(client, customer, dress, 1).json()
    patched = send(client, "patch", f"/api/v1/cart/items/{line['id']}", customer, {"quantity": 6})
    assert (patched.status_code, error(patched)["code"]) == (409, "out_of_stock")


def test_a_line_that_cannot_be_bought_any_more_is_flagged(client, shop, customer):
    dress = shop["variants"]["DR-RED-M"]
    _add(client, customer, dress, 2)
    variant_stock_set(variant=dress, quantity=1)
    assert send(client, "get", "/api/v1/cart", customer).json()["items"][0]["problem"] == (
        "insufficient_stock"
    )
    variant_stock_set(variant=dress, quantity=0)
    cart = send(client, "get", "/api/v1/cart", customer).json()
    assert (cart["items"][0]["problem"], cart["items"][0]["available"]) == ("out_of_stock", 0)


def test_one_currency_per_cart(client, shop, customer):
    product_update(product=shop["shirt"], data={"currency": "USD"})
    _add(client, customer, shop["variants"]["DR-RED-M"], 1)
    response = _add(client, customer, shop["variants"]["LS-BLU-L"], 1)
    assert (response.status_code, error(response)["code"]) == (409, "currency_mismatch")


def test_a_variant_not_on_sale_is_unavailable(client, shop, customer):
    from shared_domain.catalog.services import variant_deactivate

    variant_deactivate(variant=shop["variants"]["DR-RED-M"])
    response = _add(client, customer, shop["variants"]["DR-RED-M"], 1)
    assert (response.status_code, error(response)["code"]) == (409, "variant_unavailable")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"variant_id": 1, "quantity": 1, "price": "1.00"}, "price"),
        ({"quantity": 1}, "variant_id"),
        ({"variant_id": "abc", "quantity": 1}, "variant_id"),
        ({"variant_id": 999999, "quantity": 1}, "variant_id"),
        ({"variant_id": 1, "quantity": 0}, "quantity"),
        ({"variant_id": 1, "quantity": 10**9}, "quantity"),
    ],
)
def test_bad_lines_are_validation_errors(client, shop, customer, body, field):
    if body.get("variant_id") == 1:
        body = {**body, "variant_id": shop["variants"]["DR-RED-M"].pk}
    response = send(client, "post", "/api/v1/cart/items", customer, body)
    assert response.status_code == 400
    assert error(response)["code"] == "validation_error"
    assert field in error(response)["details"]


def test_unknown_fields_on_update_are_refused(client, shop, customer):
    line = _add(client, customer, shop["variants"]["DR-RED-M"]).json()
    response = send(client, "patch", f"/api/v1/cart/items/{line['id']}", customer,
                    {"quantity": 1, "variant_id": 3})  # fmt: skip
    assert (response.status_code, error(response)["code"]) == (400, "validation_error")
    assert error(response)["details"] == {"variant_id": ["Unknown field."]}


@pytest.mark.parametrize("factory", [VendorFactory, StaffFactory])
def test_only_customers_have_carts(client, shop, factory):
    user = factory.create()
    for method, path, body in [
        ("get", "/api/v1/cart", None),
        ("post", "/api/v1/cart/items", {"variant_id": shop["variants"]["DR-RED-M"].pk,
                                        "quantity": 1}),
        ("patch", "/api/v1/cart/items/1", {"quantity": 1}),
        ("delete", "/api/v1/cart/items/1", None),
    ]:  # fmt: skip
        response = send(client, method, path, user, body)
        assert (response.status_code, error(response)["code"]) == (403, "permission_denied")


def test_without_a_token_is_401(client):
    for method, path, body in [
        ("get", "/api/v1/cart", None),
        ("post", "/api/v1/cart/items", {"variant_id": 1, "quantity": 1}),
    ]:
        response = send(client, method, path, body=body)
        assert (response.status_code, error(response)["code"]) == (401, "not_authenticated")


def test_malformed_oversized_and_nul_bodies(client, shop, customer, settings):
    malformed = send(client, "post", "/api/v1/cart/items", customer, '{"variant_id": 1,')
    nul = send(client, "post", "/api/v1/cart/items", customer,
               {"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1, "x": "a\u0000"})  # fmt: skip
    big = send(client, "post", "/api/v1/cart/items", customer,
               '{"variant_id": 1, "quantity": 1, "pad": "' + "x" * (2 * 1024 * 1024) + '"}')  # fmt: skip

    assert (malformed.status_code, error(malformed)["code"]) == (400, "malformed_json")
    assert nul.status_code == 400
    assert big.status_code == 413
    assert send(client, "get", "/api/v1/cart", customer).json()["count"] == 0


def test_the_cart_costs_a_fixed_number_of_queries(
    client, shop, customer, django_assert_num_queries
):
    for sku in ("DR-RED-M", "DR-RED-L", "LS-BLU-L"):
        _add(client, customer, shop["variants"][sku], 1)
    headers = auth(customer)
    with django_assert_num_queries(3):  # user, lines, live sale data
        response = client.get("/api/v1/cart", headers=headers)
    assert response.json()["count"] == 3


def test_ids_beyond_any_row_are_not_errors_of_the_server(client, shop, customer):
    huge = 10**30
    added = send(
        client, "post", "/api/v1/cart/items", customer, {"variant_id": huge, "quantity": 1}
    )
    patched = send(client, "patch", f"/api/v1/cart/items/{huge}", customer, {"quantity": 1})
    deleted = send(client, "delete", f"/api/v1/cart/items/{huge}", customer)
    order = send(client, "get", f"/api/v1/orders/{huge}", customer)
    assert (added.status_code, error(added)["code"]) == (400, "validation_error")
    assert [patched.status_code, deleted.status_code, order.status_code] == [404, 404, 404]
