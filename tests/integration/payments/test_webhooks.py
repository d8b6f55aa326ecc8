"""POST /api/v1/payments/webhooks/{provider}: the signature on the raw body first,
each provider event stored once and processed once, and bad input never a 500."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shared_domain.common.models import AuditLog, EventRecord
from shared_domain.orders.models import Order, OrderStatusChange
from shared_domain.payments.models import LedgerEntry, Payment, WebhookEvent
from shared_domain.payments.providers import paystack, stripe
from shared_domain.payments.services import payments_reconcile
from tests.concurrency import race
from tests.http import error
from tests.integration.payments.conftest import pay, start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_db")]
PAYSTACK = "/api/v1/payments/webhooks/paystack"
STRIPE = "/api/v1/payments/webhooks/stripe"


def post(client, path, body, **headers):
    return client.post(path, data=body, content_type="application/json", headers=headers)


def paystack_event(reference, *, event="charge.success", amount=4_000_000, currency="NGN",
                   event_id=1001):  # fmt: skip
    return json.dumps({"event": event, "data": {"id": event_id, "status": "success",
                       "reference": reference, "amount": amount, "currency": currency}}).encode()  # fmt: skip


def signed_paystack(client, body):
    return post(client, PAYSTACK, body, **{"x-paystack-signature": paystack.sign(body)})


def paid_transitions(order):
    return OrderStatusChange.objects.filter(order=order, vendor_order=None, to_status="paid")


@pytest.fixture
def reference(client, sandbox, order):
    return start(client, order).json()["reference"]


def nothing_stored():
    assert WebhookEvent.objects.count() == 0
    assert not EventRecord.objects.filter(event_type="payments.WebhookReceived").exists()


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "headers",
    [{}, {"x-paystack-signature": "0" * 128}, {"x-paystack-signature": "not hex at all"}],
)
def test_a_missing_or_wrong_paystack_signature_is_401_and_stores_nothing(
    client, reference, headers
):
    response = post(client, PAYSTACK, paystack_event(reference), **headers)
    assert response.status_code == 401
    assert error(response)["code"] == "invalid_signature"
    nothing_stored()


def test_a_valid_signature_over_a_modified_body_is_401(client, reference):
    body = paystack_event(reference)
    forged = body.replace(b"4000000", b"4000001")
    response = post(client, PAYSTACK, forged, **{"x-paystack-signature": paystack.sign(body)})
    assert response.status_code == 401
    nothing_stored()


def test_a_stripe_event_replayed_outside_the_tolerance_is_401(client, sandbox, order):
    body = b'{"id": "evt_old", "type": "payment_intent.succeeded", "data": {"object": {}}}'
    old = stripe.signature_header(body, timestamp=int(time.time()) - 301)
    response = post(client, STRIPE, body, **{"Stripe-Signature": old})
    assert response.status_code == 401
    nothing_stored()


def test_signed_malformed_json_is_400_and_stores_nothing(client, reference):
    for body in (b"{not json", b"[1, 2]", b'{"event": "charge.success", "data": "x"}',
                 b'{"event": "charge.success", "data": {"id": 1, "reference": "R", '
                 b'"amount": "lots", "currency": "NGN"}}'):  # fmt: skip
        response = signed_paystack(client, body)
        assert response.status_code == 400, body
        assert error(response)["code"] == "invalid_payload"
    nothing_stored()


def test_a_huge_body_is_413_and_stores_nothing(client, reference, settings):
    settings.PAYMENT_WEBHOOK_MAX_BYTES = 2048
    body = paystack_event(reference)[:-1] + b', "pad": "' + b"x" * 4096 + b'"}'
    response = signed_paystack(client, body)
    assert response.status_code == 413
    nothing_stored()


def test_an_unknown_provider_is_404(client):
    response = post(client, "/api/v1/payments/webhooks/paypal", b"{}")
    assert response.status_code == 404
    assert error(response)["code"] == "unknown_provider"


def test_events_we_do_not_act_on_are_acknowledged_and_kept_without_work(client, reference):
    body = json.dumps({"event": "transfer.success", "data": {"id": 9}}).encode()
    assert signed_paystack(client, body).status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.outcome, event.processed_at is not None) == ("ignored", True)
    assert not EventRecord.objects.filter(event_type="payments.WebhookReceived").exists()


def test_an_unknown_reference_is_stored_and_changes_nothing(client, reference, run_tasks):
    assert signed_paystack(client, paystack_event("FS-NOBODY")).status_code == 200
    run_tasks()
    assert WebhookEvent.objects.get().outcome == "unknown_reference"
    assert Payment.objects.get().status == "pending"


# ---------------------------------------------------------------------- exactly once
def test_the_same_event_delivered_ten_times_changes_the_order_once(
    client, sandbox, order, reference, run_tasks
):
    pay(client, sandbox, reference)
    answers = [sandbox.outbox.deliver(client).json()["duplicate"] for _ in range(10)]
    assert answers == [False] + [True] * 9
    run_tasks()
    assert WebhookEvent.objects.count() == 1
    assert paid_transitions(order).count() == 1
    assert LedgerEntry.objects.filter(kind="sale").count() == 2
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1


def test_ten_concurrent_deliveries_of_one_event_store_and_settle_it_once(
    client, sandbox, order, reference, run_tasks
):
    pay(client, sandbox, reference)

    def deliver():
        return sandbox.outbox.deliver(Client()).status_code

    outcomes = race(*[deliver] * 10)
    assert outcomes == [200] * 10
    run_tasks()
    assert WebhookEvent.objects.count() == 1
    assert EventRecord.objects.filter(event_type="payments.WebhookReceived").count() == 1
    assert paid_transitions(order).count() == 1
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_a_failure_reported_after_the_success_never_undoes_it(
    client, sandbox, order, reference, run_tasks
):
    pay(client, sandbox, reference)
    sandbox.outbox.deliver(client)
    run_tasks()
    late = paystack_event(reference, event="charge.failed", event_id=1002)
    assert signed_paystack(client, late).status_code == 200
    run_tasks()
    assert WebhookEvent.objects.get(event_key="charge.failed:1002").outcome == "stale"
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert Payment.objects.get().status == "succeeded"


def test_a_failure_processed_before_a_later_success_still_ends_paid(
    client, order, reference, run_tasks
):
    signed_paystack(client, paystack_event(reference, event="charge.failed", event_id=7))
    run_tasks()
    assert Order.objects.get(pk=order.pk).status == "payment_failed"
    signed_paystack(client, paystack_event(reference, event_id=8))
    run_tasks()
    assert Order.objects.get(pk=order.pk).status == "paid"


@pytest.mark.parametrize(
    ("amount", "currency", "flag"),
    [(3_999_999, "NGN", "amount_mismatch"), (4_000_000, "USD", "currency_mismatch")],
)
def test_a_mismatch_leaves_the_order_unpaid_and_flags_it_for_staff(
    client, order, reference, run_tasks, amount, currency, flag
):
    signed_paystack(client, paystack_event(reference, amount=amount, currency=currency))
    run_tasks()
    payment = Payment.objects.get()
    assert (payment.status, payment.flag) == ("review", flag)
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert AuditLog.objects.filter(action="payment.flagged").count() == 1
    assert LedgerEntry.objects.count() == 0


def test_money_for_a_cancelled_order_is_flagged_for_a_refund(client, order, reference, run_tasks):
    from shared_domain.orders.services import order_cancel

    order_cancel(customer=order.customer, order_id=order.pk)
    signed_paystack(client, paystack_event(reference))
    run_tasks()
    payment = Payment.objects.get()
    assert (payment.status, payment.flag) == ("succeeded", "paid_after_close")
    assert Order.objects.get(pk=order.pk).status == "cancelled"


# ---------------------------------------------------------------------- reconciliation
def test_reconciliation_settles_a_payment_whose_webhook_never_arrived(
    client, sandbox, order, reference
):
    pay(client, sandbox, reference)  # the webhook is never delivered
    assert payments_reconcile() == {}  # too recent to verify
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert payments_reconcile() == {"paid": 1}
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert Payment.objects.get().last_verified_at is not None
    # The webhook arriving afterwards changes nothing.
    sandbox.outbox.deliver(client)
    assert paid_transitions(order).count() == 1


def test_reconciliation_keeps_a_payment_pending_while_the_provider_is_down(
    client, sandbox, order, reference, monkeypatch
):
    import httpx

    from shared_domain.payments.providers import http

    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    monkeypatch.setattr(http, "transport_override",
                        httpx.MockTransport(lambda r: httpx.Response(502)))  # fmt: skip
    assert payments_reconcile() == {"unverified": 1}
    assert Payment.objects.get().status == "pending"


def test_reconciliation_runs_every_fifteen_minutes():
    from shared_domain.schedule import SCHEDULE

    job = next(j for j in SCHEDULE if j.task.endswith("reconcile_pending_payments"))
    assert job.cron == "*/15 * * * *"


def test_a_body_above_the_request_limit_is_413_not_a_500(client, reference):
    body = b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = signed_paystack(client, body)
    assert response.status_code == 413
    assert error(response)["code"] == "payload_too_large"
    nothing_stored()


def test_the_customer_gets_a_receipt_once_the_order_is_paid(
    client, sandbox, order, reference, run_tasks, mailoutbox
):
    pay(client, sandbox, reference)
    sandbox.outbox.deliver(client)
    run_tasks()
    receipts = [m for m in mailoutbox if "Payment received" in m.subject]
    assert len(receipts) == 1
    assert receipts[0].to == [order.customer.email]
    assert "40000.00 NGN" in receipts[0].body


# ---------------------------------------------------------------------- disabled provider
def test_a_provider_left_out_of_payment_providers_takes_no_payments_nor_webhooks(
    client, sandbox, order, settings
):
    settings.PAYMENT_PROVIDERS = ["paystack"]
    response = start(client, order, "stripe")
    assert response.status_code == 400
    assert error(response)["details"]["provider"] == ["Use one of: paystack."]
    body = json.dumps({"id": "evt_1", "type": "payment_intent.succeeded"}).encode()
    hook = post(client, STRIPE, body, **{"Stripe-Signature": stripe.signature_header(body)})
    assert (hook.status_code, error(hook)["code"]) == (404, "unknown_provider")
    nothing_stored()
    assert start(client, order, "paystack").status_code == 201
