"""v1 checkout: SPEC §8 step 7 shape, idempotency (also under 20 concurrent requests),
and every error it documents."""

from __future__ import annotations

import pytest
from django.test import Client

from shared_domain.catalog.services import product_update, variant_deactivate
from shared_domain.orders.models import Order
from shared_domain.orders.services import cart_item_add
from tests.concurrency import race
from tests.factories import CustomerFactory, VendorFactory
from tests.http import error
from tests.integration.orders_api import ADDRESS, assert_order_shape, auth, send, stock_of


def _fill(shop, customer, **quantities):
    for sku, quantity in (quantities or {"DR-RED-M": 2}).items():
        cart_item_add(customer=customer, variant_id=shop["variants"][sku].pk, quantity=quantity)


def _checkout(client, customer, body=None, key="key-1"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    body = {"shipping_address": ADDRESS} if body is None else body
    return send(client, "post", "/api/v1/checkout", customer, body, **headers)


@pytest.mark.django_db
def test_spec_step_7_checkout_of_a_two_vendor_cart(client, shop, customer):
    _fill(shop, customer, **{"DR-RED-M": 2, "LS-BLU-L": 1})

    response = _checkout(client, customer)

    assert response.status_code == 201, response.content
    order = response.json()
    assert_order_shape(order)
    assert order["number"].startswith("FS-")
    assert (order["status"], order["currency"]) == ("pending_payment", "NGN")
    assert (order["subtotal"], order["total"]) == ("65000.00", "65000.00")
    assert order["expires_at"] is not None
    assert (order["paid_at"], order["cancel_reason"]) == (None, "")
    assert order["shipping_address"]["country"] == "NG"
    ada, eko = order["vendor_orders"]
    assert ada["vendor"] == {"id": shop["ada"].vendor_profile.pk,
                             "name": shop["ada"].vendor_profile.store_name}  # fmt: skip
    assert (ada["status"], ada["subtotal"], ada["currency"], ada["shipment"]) == (
        "pending_payment", "50000.00", "NGN", None,
    )  # fmt: skip
    assert [(i["sku"], i["quantity"], i["unit_price"], i["line_total"], i["reviewed"])
            for i in ada["items"]] == [("DR-RED-M", 2, "25000.00", "50000.00", False)]  # fmt: skip
    assert [i["sku"] for i in eko["items"]] == ["LS-BLU-L"]
    assert send(client, "get", "/api/v1/cart", customer).json()["count"] == 0
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 2)


@pytest.mark.django_db
def test_replay_with_the_same_key_returns_the_same_order(client, shop, customer):
    _fill(shop, customer)
    first = _checkout(client, customer)
    again = _checkout(client, customer)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_conflict(client, shop, customer):
    _fill(shop, customer)
    _checkout(client, customer)
    other = _checkout(client, customer, {"shipping_address": {**ADDRESS, "city": "Abuja"}})
    assert (other.status_code, error(other)["code"]) == (409, "idempotency_conflict")


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "", "has space", "x" * 256])
def test_a_missing_or_malformed_key_is_refused(client, shop, customer, key):
    _fill(shop, customer)
    response = _checkout(client, customer, key=key)
    assert (response.status_code, error(response)["code"]) == (400, "idempotency_key_required")
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_cart_is_refused(client, customer):
    response = _checkout(client, customer)
    assert (response.status_code, error(response)["code"]) == (400, "cart_empty")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shipping_address": {**ADDRESS, "country": "Nigeria"}}, "shipping_address.country"),
        ({"shipping_address": {**ADDRESS, "phone": 7}}, "shipping_address.phone"),
        ({"shipping_address": {**ADDRESS, "pet": "cat"}}, "shipping_address.pet"),
        ({"shipping_address": "12 Marina Road"}, "shipping_address"),
        ({}, "shipping_address"),
        ({"shipping_address": ADDRESS, "items": []}, "items"),
        ([ADDRESS], "non_field_errors"),
    ],
)
def test_bad_bodies_are_validation_errors_per_field(client, shop, customer, body, field):
    _fill(shop, customer)
    response = _checkout(client, customer, body)
    assert (response.status_code, error(response)["code"]) == (400, "validation_error")
    assert list(error(response)["details"]) == [field]
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_not_enough_stock_names_the_variant(client, shop, customer):
    _fill(shop, customer, **{"DR-RED-M": 4})
    dress = shop["variants"]["DR-RED-M"]
    cart_item_add(customer=CustomerFactory.create(), variant_id=dress.pk, quantity=1)
    from shared_domain.catalog.services import variant_stock_set

    variant_stock_set(variant=dress, quantity=3)
    response = _checkout(client, customer)
    assert (response.status_code, error(response)["code"]) == (409, "out_of_stock")
    assert error(response)["details"]["variant_id"] == dress.pk
    assert error(response)["details"]["available"] == 3
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_unavailable_variant_and_mixed_currencies_are_conflicts(client, shop, customer):
    _fill(shop, customer, **{"DR-RED-M": 1, "LS-BLU-L": 1})
    product_update(product=shop["shirt"], data={"currency": "USD"})
    mixed = _checkout(client, customer)
    variant_deactivate(variant=shop["variants"]["DR-RED-M"])
    unavailable = _checkout(client, customer, key="key-2")
    assert (mixed.status_code, error(mixed)["code"]) == (409, "currency_mismatch")
    assert (unavailable.status_code, error(unavailable)["code"]) == (409, "variant_unavailable")


@pytest.mark.django_db
def test_unverified_customers_cannot_check_out(client, shop):
    customer = CustomerFactory.create(email_verified=False)
    _fill(shop, customer)
    response = _checkout(client, customer)
    assert (response.status_code, error(response)["code"]) == (403, "email_not_verified")


@pytest.mark.django_db
def test_only_customers_check_out(client, shop):
    vendor = _checkout(client, VendorFactory.create())
    anonymous = send(client, "post", "/api/v1/checkout", None, {"shipping_address": ADDRESS})
    assert (vendor.status_code, error(vendor)["code"]) == (403, "permission_denied")
    assert (anonymous.status_code, error(anonymous)["code"]) == (401, "not_authenticated")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_checkouts_with_one_key_make_one_order(shop, customer):
    _fill(shop, customer)
    headers = {**auth(customer), "Idempotency-Key": "same-key"}

    def checkout():
        response = send(Client(), "post", "/api/v1/checkout", None,
                        {"shipping_address": ADDRESS}, **headers)  # fmt: skip
        return response.status_code, response.json()["id"]

    outcomes = race(*[checkout for _ in range(20)])

    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert sorted(status for status, _ in outcomes) == [200] * 19 + [201]
    assert len({order_id for _, order_id in outcomes}) == 1
    assert Order.objects.count() == 1
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 2)
