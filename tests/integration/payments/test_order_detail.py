"""An order's detail lists its payment attempts on v1 and v2 (the same JSON), and the
checkout response of a replayed key shows them too."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory
from tests.integration.orders_api import ADDRESS, PAYMENT_FIELDS, assert_order_shape, send
from tests.integration.payments.conftest import pay, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("redis_db")
def test_the_order_detail_lists_its_payments_on_v1_and_v2(client, sandbox, order, run_tasks):
    declined = start(client, order).json()
    pay(client, sandbox, declined["reference"], "decline")
    assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()
    paid = start(client, order, "stripe").json()
    pay(client, sandbox, paid["reference"])
    assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()

    v1 = send(client, "get", f"/api/v1/orders/{order.pk}", order.customer)
    v2 = send(client, "get", f"/api/v2/orders/{order.pk}", order.customer)
    assert v1.status_code == v2.status_code == 200, (v1.content, v2.content)
    assert v1.json() == v2.json()
    detail = v1.json()
    assert_order_shape(detail)
    assert detail["status"] == "paid"
    payments = detail["payments"]
    assert [(p["reference"], p["provider"], p["status"]) for p in payments] == [
        (declined["reference"], "paystack", "failed"),
        (paid["reference"], "stripe", "succeeded"),
    ]
    assert all(set(p) == PAYMENT_FIELDS for p in payments)
    assert all((p["amount"], p["currency"]) == (4_000_000, "NGN") for p in payments)
    assert payments[1]["amount_refunded"] == 0
    assert payments[1]["settled_at"] is not None
    assert payments[1]["updated_at"] >= payments[1]["created_at"]


def test_another_customers_order_does_not_reveal_its_payments(client, sandbox, order):
    assert start(client, order).status_code == 201
    other = CustomerFactory.create()
    for path in (f"/api/v1/orders/{order.pk}", f"/api/v2/orders/{order.pk}"):
        response = send(client, "get", path, other)
        assert response.status_code == 404
        assert "payments" not in response.json()


def test_a_replayed_checkout_shows_the_payments_started_since(client, sandbox, shop, customer):
    body = {"shipping_address": ADDRESS}
    send(client, "post", "/api/v1/cart/items", customer,
         {"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1})  # fmt: skip
    first = send(client, "post", "/api/v1/checkout", customer, body, **{"Idempotency-Key": "r1"})
    assert first.status_code == 201, first.content
    assert first.json()["payments"] == []
    order_id = first.json()["id"]
    reference = send(client, "post", f"/api/v1/orders/{order_id}/payments", customer,
                     {"provider": "paystack"}).json()["reference"]  # fmt: skip
    again = send(client, "post", "/api/v1/checkout", customer, body, **{"Idempotency-Key": "r1"})
    assert again.status_code == 200
    assert [p["reference"] for p in again.json()["payments"]] == [reference]
    assert again.json()["payments"][0]["status"] == "pending"
