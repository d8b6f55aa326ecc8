"""Refunds the provider takes as pending are settled by its refund webhooks (Paystack
`refund.processed`/`refund.failed`, Stripe `charge.refunded`/`refund.updated`) exactly
once; a failed refund gives the money back to the ledger and to what may be refunded.
Staff refund whole orders from the admin through the same service."""

from __future__ import annotations

import json

import pytest

from shared_domain.common.models import AuditLog
from shared_domain.orders.models import VendorOrder
from shared_domain.payments.models import LedgerEntry, Payment, Refund, WebhookEvent
from shared_domain.payments.providers import stripe
from shared_domain.payments.selectors import vendor_balance_of
from tests.factories import StaffFactory
from tests.integration.orders_api import send
from tests.integration.payments.conftest import pay, start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_db")]
STRIPE = "/api/v1/payments/webhooks/stripe"


def paid(client, sandbox, order, run_tasks, provider="paystack"):
    reference = start(client, order, provider).json()["reference"]
    pay(client, sandbox, reference)
    assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()
    payment = Payment.objects.get(reference=reference)
    assert payment.status == "succeeded"
    return payment


def refund_part(client, order, vendor, **body):
    part = VendorOrder.objects.get(order=order, vendor=vendor.vendor_profile)
    response = send(client, "post", f"/api/v1/staff/orders/{order.pk}/refunds",
                    StaffFactory.create(), {"vendor_order_id": part.pk, **body})  # fmt: skip
    assert response.status_code == 201, response.content
    return Refund.objects.get(reference=response.json()["reference"])


def balance(vendor):
    return vendor_balance_of(vendor_id=vendor.vendor_profile.pk)[0].amount


def test_a_paystack_refund_is_pending_until_refund_processed_arrives_once(
    client, sandbox, order, shop, run_tasks
):
    paid(client, sandbox, order, run_tasks)
    refund = refund_part(client, order, shop["ada"], amount=1_000_000)
    assert refund.status == "pending"
    _, _, body = sandbox.outbox.sent[-1]
    assert json.loads(body)["event"] == "refund.processed"

    for _ in range(3):  # redelivered: stored once
        assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    event = WebhookEvent.objects.get(event_type="refund.processed")
    assert event.outcome == "refund_succeeded"
    assert AuditLog.objects.filter(action="refund.succeeded").count() == 1
    # Succeeding changes no money: the refund was counted when it was made.
    assert Payment.objects.get(pk=refund.payment_id).amount_refunded == 1_000_000
    assert balance(shop["ada"]) == 2_250_000 - 1_000_000 + 100_000


def test_a_failed_refund_gives_the_money_back_and_can_be_refunded_again(
    client, sandbox, order, shop, run_tasks
):
    payment = paid(client, sandbox, order, run_tasks)
    owed = balance(shop["ada"])
    sandbox.config.paystack_refund_outcome = "failed"
    refund = refund_part(client, order, shop["ada"])  # the whole part
    ada_part = VendorOrder.objects.get(pk=refund.vendor_order_id)
    assert ada_part.status == "refunded"
    assert balance(shop["ada"]) == 0
    assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()

    refund.refresh_from_db()
    assert refund.status == "failed"
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 0
    assert balance(shop["ada"]) == owed
    assert AuditLog.objects.filter(action="refund.failed").count() == 1
    # A second failure report of the same refund changes nothing.
    from shared_domain.payments.providers import RefundNotice
    from shared_domain.payments.services import refund_settle

    late = RefundNotice(provider_refund_id=refund.provider_refund_id, outcome="failed",
                        amount=refund.amount, currency="NGN",
                        payment_reference=payment.reference)  # fmt: skip
    assert refund_settle(provider="paystack", notice=late, source="test") == (
        "refund_already_settled"
    )
    assert balance(shop["ada"]) == owed

    # Staff try again: the units already came back, so the retry is the money only.
    sandbox.config.paystack_refund_outcome = "processed"
    retry = refund_part(client, order, shop["ada"])
    assert retry.amount == 2_500_000
    assert sandbox.outbox.deliver(client).status_code == 200
    run_tasks()
    retry.refresh_from_db()
    assert retry.status == "succeeded"
    assert balance(shop["ada"]) == 0
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 2_500_000
    assert VendorOrder.objects.get(pk=ada_part.pk).status == "refunded"
    net = sum(LedgerEntry.objects.filter(vendor_id=shop["ada"].vendor_profile.pk)
              .values_list("amount", flat=True))  # fmt: skip
    assert net == 0


def stripe_event(event_type, obj, event_id):
    body = json.dumps({"id": event_id, "object": "event", "type": event_type,
                       "data": {"object": obj}}).encode()  # fmt: skip
    return body, {"Stripe-Signature": stripe.signature_header(body)}


def test_stripe_refund_events_settle_a_pending_refund_once(
    client, sandbox, order, shop, run_tasks
):
    payment = paid(client, sandbox, order, run_tasks, "stripe")
    refund = refund_part(client, order, shop["eko"], amount=500_000)
    # Stripe answered succeeded at once; make it one Stripe still processes.
    Refund.objects.filter(pk=refund.pk).update(status="pending")
    obj = {"id": refund.provider_refund_id, "object": "refund", "amount": 500_000,
           "currency": "ngn", "status": "succeeded", "payment_intent": payment.provider_id,
           "metadata": {"reference": payment.reference}}  # fmt: skip
    body, headers = stripe_event("refund.updated", obj, "evt_refund_1")
    assert client.post(STRIPE, data=body, content_type="application/json",
                       headers=headers).status_code == 200  # fmt: skip
    # The charge's view of the same refund, without our metadata (found by intent id).
    charge = {"id": "ch_1", "object": "charge", "payment_intent": payment.provider_id,
              "amount_refunded": 500_000,
              "refunds": {"object": "list", "data": [{**obj, "metadata": {}}]}}  # fmt: skip
    body, headers = stripe_event("charge.refunded", charge, "evt_refund_2")
    assert client.post(STRIPE, data=body, content_type="application/json",
                       headers=headers).status_code == 200  # fmt: skip
    run_tasks()
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    outcomes = dict(WebhookEvent.objects.filter(event_type__in=["refund.updated",
                    "charge.refunded"]).values_list("event_type", "outcome"))  # fmt: skip
    assert outcomes == {"refund.updated": "refund_succeeded",
                        "charge.refunded": "refund_already_settled"}  # fmt: skip
    assert AuditLog.objects.filter(action="refund.succeeded").count() == 1


def test_a_refund_event_for_another_amount_leaves_the_refund_pending(
    client, sandbox, order, shop, run_tasks
):
    payment = paid(client, sandbox, order, run_tasks, "stripe")
    refund = refund_part(client, order, shop["eko"], amount=500_000)
    Refund.objects.filter(pk=refund.pk).update(status="pending")
    obj = {"id": refund.provider_refund_id, "object": "refund", "amount": 400_000,
           "currency": "ngn", "status": "failed", "metadata": {"reference": payment.reference}}  # fmt: skip
    body, headers = stripe_event("refund.failed", obj, "evt_refund_x")
    client.post(STRIPE, data=body, content_type="application/json", headers=headers)
    run_tasks()
    assert Refund.objects.get(pk=refund.pk).status == "pending"
    assert WebhookEvent.objects.get(event_key="evt_refund_x").outcome == "refund_mismatch"
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 500_000


def test_charge_refunded_without_its_refunds_expanded_is_kept_and_ignored(client, sandbox):
    body, headers = stripe_event("charge.refunded", {"id": "ch_2", "object": "charge"}, "evt_3")
    response = client.post(STRIPE, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 200
    assert WebhookEvent.objects.get(event_key="evt_3").outcome == "ignored"


# ---------------------------------------------------------------------- admin
ADMIN = "/api/v1/admin/orders/order/"


def test_staff_refund_whole_orders_from_the_admin(client, sandbox, order, shop, run_tasks):
    paid(client, sandbox, order, run_tasks)
    client.force_login(StaffFactory.create(is_superuser=True))
    response = client.post(ADMIN, {"action": "refund_orders", "_selected_action": [order.pk]},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "refunded in full" in page
    refunds = Refund.objects.filter(payment__order_id=order.pk)
    assert sorted(refunds.values_list("amount", flat=True)) == [1_500_000, 2_500_000]
    assert set(VendorOrder.objects.filter(order=order).values_list("status", flat=True)) == {
        "refunded"
    }
    # Nothing left: the action says so and refunds nothing more.
    again = client.post(ADMIN, {"action": "refund_orders", "_selected_action": [order.pk]},
                        follow=True)  # fmt: skip
    assert "over_refund" in again.content.decode()
    assert refunds.count() == 2


def test_the_admin_refund_of_an_unpaid_order_refunds_nothing(client, sandbox, order):
    client.force_login(StaffFactory.create(is_superuser=True))
    response = client.post(ADMIN, {"action": "refund_orders", "_selected_action": [order.pk]},
                           follow=True)  # fmt: skip
    assert "refund_not_allowed" in response.content.decode()
    assert Refund.objects.count() == 0
