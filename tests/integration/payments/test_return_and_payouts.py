"""GET /api/v1/payments/{reference} (the customer back from the provider's page: a
pending attempt is verified and settled through the webhook path) and the staff
payout report, whose numbers are the ledger's."""

from __future__ import annotations

import httpx
import pytest

from shared_domain.common.models import AuditLog
from shared_domain.orders.models import Order, VendorOrder
from shared_domain.payments.models import LedgerEntry, Payment
from shared_domain.payments.providers import http
from shared_domain.payments.selectors import ledger_totals_by_vendor
from tests.factories import CustomerFactory, StaffFactory, VendorFactory
from tests.http import error
from tests.integration.orders_api import auth, send
from tests.integration.payments.conftest import pay, place, start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_db")]


def status_of(client, reference, user):
    return send(client, "get", f"/api/v1/payments/{reference}", user)


def test_returning_customer_sees_paid_before_the_webhook_arrives(
    client, sandbox, order, django_assert_num_queries
):
    reference = start(client, order).json()["reference"]
    before = status_of(client, reference, order.customer)
    assert before.status_code == 200
    assert before.json()["status"] == "pending"
    assert before.json()["order_status"] == "pending_payment"

    pay(client, sandbox, reference)  # the webhook is not delivered
    Payment.objects.filter(reference=reference).update(last_verified_at=None)
    after = status_of(client, reference, order.customer).json()
    assert after == {**after, "reference": reference, "provider": "paystack",
                     "status": "succeeded", "amount": 4_000_000, "currency": "NGN",
                     "order_id": order.pk, "order_status": "paid"}  # fmt: skip
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert AuditLog.objects.get(action="payment.succeeded").data["source"] == "customer_return"
    # The webhook arriving late changes nothing more; asking again neither.
    assert sandbox.outbox.deliver(client).status_code == 200
    headers = auth(order.customer)
    # user, payment, the order with its parts and lines: a settled one asks no provider
    with django_assert_num_queries(5):
        again = client.get(f"/api/v1/payments/{reference}", headers=headers).json()
    assert again["status"] == "succeeded"
    assert LedgerEntry.objects.filter(kind="sale").count() == 2


def test_a_pending_attempt_is_verified_at_most_once_per_interval(client, sandbox, order, settings):
    settings.PAYMENT_RETURN_VERIFY_INTERVAL = 3600
    reference = start(client, order).json()["reference"]
    assert status_of(client, reference, order.customer).json()["status"] == "pending"
    pay(client, sandbox, reference)
    # Verified a moment ago: not again yet, so still pending for now.
    assert status_of(client, reference, order.customer).json()["status"] == "pending"
    settings.PAYMENT_RETURN_VERIFY_INTERVAL = 0
    assert status_of(client, reference, order.customer).json()["status"] == "succeeded"


def test_a_provider_down_on_return_answers_pending(client, sandbox, order, monkeypatch):
    reference = start(client, order).json()["reference"]
    monkeypatch.setattr(http, "transport_override",
                        httpx.MockTransport(lambda r: httpx.Response(503)))  # fmt: skip
    response = status_of(client, reference, order.customer)
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_only_the_orders_customer_sees_a_payment(client, sandbox, order):
    reference = start(client, order).json()["reference"]
    other = status_of(client, reference, CustomerFactory.create())
    assert (other.status_code, error(other)["code"]) == (404, "not_found")
    assert status_of(client, "no-such-ref", order.customer).status_code == 404
    assert status_of(client, "x" * 500, order.customer).status_code == 404
    assert status_of(client, reference, VendorFactory.create()).status_code == 403
    assert client.get(f"/api/v1/payments/{reference}").status_code == 401


# ---------------------------------------------------------------------- payouts
def test_the_payout_report_is_the_ledger_per_vendor(
    client, sandbox, shop, customer, run_tasks, django_assert_num_queries
):
    from shared_domain.accounts.models import VendorProfile

    # Eko's share is routed by Paystack (a payout at payment); Ada's is owed.
    VendorProfile.objects.filter(pk=shop["eko"].vendor_profile.pk).update(
        paystack_subaccount_code="ACCT_eko"
    )
    order = place(shop, customer, ("DR-RED-M", 1), ("LS-BLU-L", 1), key="p1")
    reference = start(client, order).json()["reference"]
    pay(client, sandbox, reference)
    sandbox.outbox.deliver(client)
    run_tasks()
    ada_part = VendorOrder.objects.get(order=order, vendor=shop["ada"].vendor_profile)
    refund = send(client, "post", f"/api/v1/staff/orders/{order.pk}/refunds",
                  StaffFactory.create(),
                  {"vendor_order_id": ada_part.pk, "amount": 1_000_000})  # fmt: skip
    assert refund.status_code == 201  # pending: Paystack reports it later

    headers = auth(StaffFactory.create())
    with django_assert_num_queries(4):  # user, totals, payouts and pending, store names
        response = client.get("/api/v1/staff/payouts", headers=headers)
    assert response.status_code == 200
    body = response.json()
    rows = {row["vendor"]["id"]: row for row in body["vendors"]}
    ada, eko = shop["ada"].vendor_profile, shop["eko"].vendor_profile
    assert rows[ada.pk] == {
        "vendor": {"id": ada.pk, "name": ada.store_name}, "currency": "NGN",
        "earned": 2_250_000 - 1_000_000 + 100_000, "paid_out": 0,
        "balance": 1_350_000, "balance_display": "13500.00", "refunds_pending": 1_000_000,
    }  # fmt: skip
    assert rows[eko.pk]["paid_out"] == 1_350_000
    assert rows[eko.pk]["balance"] == 0
    # The invariant: each balance is the sum of the vendor's entries; earned - paid out.
    totals = ledger_totals_by_vendor()
    for vendor_id, row in rows.items():
        entries = sum(LedgerEntry.objects.filter(vendor_id=vendor_id)
                      .values_list("amount", flat=True))  # fmt: skip
        assert row["balance"] == entries == totals[(vendor_id, "NGN")]
        assert row["earned"] - row["paid_out"] == row["balance"]
    assert body["totals"] == {"NGN": sum(r["balance"] for r in rows.values())}


def test_the_payout_report_is_for_staff_only(client, shop, customer):
    assert send(client, "get", "/api/v1/staff/payouts", customer).status_code == 403
    assert send(client, "get", "/api/v1/staff/payouts", shop["ada"]).status_code == 403
    assert client.get("/api/v1/staff/payouts").status_code == 401
    empty = send(client, "get", "/api/v1/staff/payouts", StaffFactory.create())
    assert empty.json() == {"vendors": [], "totals": {}}
