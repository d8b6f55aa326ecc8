"""§8 step 8 on v1 against the sandbox: start a payment, the customer pays on the
provider's page, the signed webhook arrives, the worker's task marks the order paid."""

from __future__ import annotations

import pytest

from shared_domain.common.models import AuditLog
from shared_domain.inventory.models import Stock
from shared_domain.orders.models import Order
from shared_domain.payments.models import LedgerEntry, Payment, WebhookEvent
from tests.http import error
from tests.integration.orders_api import send
from tests.integration.payments.conftest import pay, place, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("redis_db")
def test_paystack_payment_marks_the_order_paid_once_the_webhook_is_processed(
    client, sandbox, order, run_tasks
):
    response = start(client, order)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"reference", "provider", "status", "amount", "currency",
                         "authorization_url"}  # fmt: skip
    assert body["amount"] == 4_000_000  # 40000.00 NGN in kobo
    assert body["currency"] == "NGN"
    assert body["authorization_url"].startswith("http://sandbox.test/checkout/")

    pay(client, sandbox, body["reference"])
    delivered = sandbox.outbox.deliver(client)
    assert delivered.status_code == 200, delivered.content
    assert delivered.json() == {"received": True, "duplicate": False}
    assert Order.objects.get(pk=order.pk).status == "pending_payment"  # not yet processed

    run_tasks()
    order.refresh_from_db()
    assert order.status == "paid"
    payment = Payment.objects.get(reference=body["reference"])
    assert payment.status == "succeeded"
    assert WebhookEvent.objects.get().outcome == "paid"
    # Reservations became allocations.
    assert sum(Stock.objects.values_list("allocated", flat=True)) == 2
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    # Sale less commission per vendor.
    kinds = sorted(LedgerEntry.objects.values_list("kind", "amount"))
    assert kinds == [("commission", -250_000), ("commission", -150_000),
                     ("sale", 1_500_000), ("sale", 2_500_000)]  # fmt: skip


@pytest.mark.usefixtures("redis_db")
def test_stripe_payment_returns_a_client_secret_and_settles_by_webhook(
    client, sandbox, order, run_tasks
):
    response = start(client, order, "stripe")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_secret"].startswith("pi_")
    assert "authorization_url" not in body
    pay(client, sandbox, body["reference"])
    assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()
    assert Order.objects.get(pk=order.pk).status == "paid"


@pytest.mark.usefixtures("redis_db")
def test_a_declined_payment_leaves_the_order_open_for_another_attempt(
    client, sandbox, order, run_tasks
):
    first = start(client, order).json()
    pay(client, sandbox, first["reference"], "decline")
    assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()
    assert Order.objects.get(pk=order.pk).status == "payment_failed"
    assert Payment.objects.get(reference=first["reference"]).status == "failed"

    second = start(client, order, "stripe")
    assert second.status_code == 201
    assert second.json()["reference"] != first["reference"]
    pay(client, sandbox, second.json()["reference"])
    sandbox.outbox.deliver(client)
    run_tasks()
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_starting_again_returns_the_open_attempt_instead_of_a_second_charge(
    client, sandbox, order
):
    first = start(client, order)
    again = start(client, order)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
    assert len(sandbox.charges) == 1
    other = start(client, order, "stripe")
    assert other.status_code == 409
    assert error(other)["code"] == "payment_in_progress"


def test_only_the_orders_customer_may_pay_and_only_while_unpaid(client, sandbox, order, shop):
    from tests.factories import CustomerFactory

    stranger = start(client, order, user=CustomerFactory.create())
    assert stranger.status_code == 404
    vendor = start(client, order, user=shop["ada"])
    assert vendor.status_code == 403
    Order.objects.filter(pk=order.pk).update(status="cancelled")
    closed = start(client, order)
    assert closed.status_code == 409
    assert error(closed)["code"] == "order_not_payable"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "paypal"}, "provider"),
        ({"provider": 7}, "provider"),
        ({}, "provider"),
        ({"provider": "paystack", "amount": 1}, "amount"),
    ],
)
def test_bad_payment_requests_are_400_with_the_field(client, sandbox, order, body, field):
    response = send(client, "post", f"/api/v1/orders/{order.pk}/payments", order.customer, body)
    assert response.status_code == 400, response.content
    assert field in error(response)["details"]


def test_malformed_json_and_unknown_orders_are_clear_errors(client, sandbox, order):
    bad = send(client, "post", f"/api/v1/orders/{order.pk}/payments", order.customer, "{nope")
    assert bad.status_code == 400
    assert error(bad)["code"] == "malformed_json"
    missing = send(client, "post", "/api/v1/orders/999999/payments", order.customer,
                   {"provider": "paystack"})  # fmt: skip
    assert missing.status_code == 404


def test_a_provider_that_keeps_failing_is_503_and_nothing_is_stored(
    client, sandbox, order, monkeypatch
):
    import httpx

    from shared_domain.payments.providers import http

    calls = []

    def down(request):
        calls.append(request)
        return httpx.Response(500, json={"status": False, "message": "oops"})

    monkeypatch.setattr(http, "transport_override", httpx.MockTransport(down))
    response = start(client, order)
    assert response.status_code == 503
    assert error(response)["code"] == "payment_provider_unavailable"
    assert len(calls) == 3  # bounded retries
    assert len({c.headers["Idempotency-Key"] for c in calls}) == 1
    assert Payment.objects.count() == 0


def test_a_single_vendor_with_a_subaccount_gets_its_share_routed(client, sandbox, shop, customer):
    from shared_domain.accounts.models import VendorProfile

    VendorProfile.objects.filter(pk=shop["ada"].vendor_profile.pk).update(
        paystack_subaccount_code="ACCT_ada"
    )
    order = place(shop, customer, ("DR-RED-M", 1), key="solo")
    response = start(client, order)
    assert response.status_code == 201
    payment = Payment.objects.get()
    assert payment.routed == {str(shop["ada"].vendor_profile.pk): 2_250_000}


def test_concurrent_starts_open_one_charge(client, sandbox, order):
    from django.test import Client

    from tests.concurrency import race

    def go():
        response = start(Client(), order)
        return response.status_code, response.json()["reference"]

    outcomes = race(*[go] * 5)
    assert sorted(code for code, _ in outcomes) == [200, 200, 200, 200, 201]
    assert len({ref for _, ref in outcomes}) == 1
    assert Payment.objects.count() == 1
    assert len(sandbox.charges) == 1
