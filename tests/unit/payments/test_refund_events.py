"""Reading the providers' refund events (payload shapes from their docs)."""

from __future__ import annotations

import pytest

from shared_domain.payments.errors import WebhookError
from shared_domain.payments.providers.paystack import Paystack
from shared_domain.payments.providers.stripe import Stripe


def test_paystack_refund_processed_with_its_amount_as_a_string():
    notice = Paystack().read_event({"event": "refund.processed", "data": {
        "status": "processed", "transaction_reference": "FS-1-abc", "refund_reference": None,
        "amount": "10000", "currency": "NGN", "id": 4242}})  # fmt: skip
    assert notice.event_key == "refund.processed:4242"
    assert notice.actionable
    (refund,) = notice.refunds
    assert (refund.provider_refund_id, refund.outcome, refund.amount, refund.currency) == (
        "4242", "succeeded", 10_000, "NGN")  # fmt: skip
    assert refund.payment_reference == "FS-1-abc"


def test_a_paystack_refund_event_without_an_id_is_keyed_by_what_identifies_it():
    notice = Paystack().read_event({"event": "refund.failed", "data": {
        "transaction_reference": "FS-1-abc", "amount": 500, "currency": "ngn"}})  # fmt: skip
    assert notice.event_key == "refund.failed:FS-1-abc:500"
    assert notice.refunds[0].outcome == "failed"


@pytest.mark.parametrize("amount", ["12.5", "-3", None, True, "1e9"])
def test_a_paystack_refund_event_with_a_bad_amount_is_invalid(amount):
    with pytest.raises(WebhookError):
        Paystack().read_event({"event": "refund.processed", "data": {
            "transaction_reference": "r", "amount": amount, "currency": "NGN"}})  # fmt: skip


def test_stripe_pending_refunds_are_not_acted_on():
    notice = Stripe().read_event({"id": "evt_1", "type": "refund.updated", "data": {"object": {
        "id": "re_1", "amount": 100, "currency": "usd", "status": "pending",
        "payment_intent": "pi_1"}}})  # fmt: skip
    assert notice.refunds == ()
    assert not notice.actionable


def test_stripe_canceled_refund_is_a_failure():
    notice = Stripe().read_event({"id": "evt_2", "type": "refund.updated", "data": {"object": {
        "id": "re_2", "amount": 100, "currency": "usd", "status": "canceled",
        "payment_intent": "pi_1", "metadata": {}}}})  # fmt: skip
    (refund,) = notice.refunds
    assert (refund.outcome, refund.payment_provider_id, refund.currency) == (
        "failed",
        "pi_1",
        "USD",
    )
