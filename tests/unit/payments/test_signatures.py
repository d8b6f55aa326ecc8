"""Webhook signatures against vectors computed outside this codebase (with
`openssl dgst -hmac`), the way the providers document them:

    printf '%s' "$BODY" | openssl dgst -sha512 -hmac "$PAYSTACK_SECRET_KEY"
    printf '%s' "$T.$BODY" | openssl dgst -sha256 -hmac "$STRIPE_WEBHOOK_SECRET"
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from shared_domain.payments.errors import InvalidSignature, WebhookError
from shared_domain.payments.money import to_major, to_minor
from shared_domain.payments.providers.paystack import Paystack
from shared_domain.payments.providers.stripe import Stripe

PAYSTACK_BODY = (
    b'{"event":"charge.success","data":{"id":302961,"status":"success","reference":"FS-1",'
    b'"amount":4000000,"currency":"NGN"}}'
)
PAYSTACK_KEY = "sk_test_vector"
PAYSTACK_SIG = (
    "c222a874513e34cf7387cb13c73b126e0939f1031da1f9c18831acd96f8c7d25"
    "fa932e83d6744c08ce7a1ee30a5d731b9ba33e78be44472f276ed0402e221974"
)
STRIPE_BODY = (
    b'{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":'
    b'{"id":"pi_1","amount":4000000,"amount_received":4000000,"currency":"ngn",'
    b'"metadata":{"reference":"FS-1"}}}}'
)
STRIPE_SECRET = "whsec_vector"
STRIPE_T = 1700000000
STRIPE_SIG = "bc222a9437072aaf543ab3979dd2079539906799f87d2f975094e2cb4d72b094"


@pytest.fixture(autouse=True)
def _keys():
    with override_settings(
        PAYSTACK_SECRET_KEY=PAYSTACK_KEY,
        STRIPE_WEBHOOK_SECRET=STRIPE_SECRET,
        STRIPE_WEBHOOK_TOLERANCE=300,
    ):
        yield


def test_paystack_accepts_the_documented_hmac_sha512_of_the_raw_body():
    notice = Paystack().parse_webhook({"X-Paystack-Signature": PAYSTACK_SIG}, PAYSTACK_BODY)
    assert notice.event_key == "charge.success:302961"
    assert (notice.reference, notice.outcome, notice.amount, notice.currency) == (
        "FS-1",
        "succeeded",
        4_000_000,
        "NGN",
    )


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, PAYSTACK_BODY),
        ({"x-paystack-signature": ""}, PAYSTACK_BODY),
        ({"x-paystack-signature": PAYSTACK_SIG[:-2] + "00"}, PAYSTACK_BODY),
        # A valid signature over a modified body.
        ({"x-paystack-signature": PAYSTACK_SIG}, PAYSTACK_BODY.replace(b"FS-1", b"FS-2")),
        ({"x-paystack-signature": PAYSTACK_SIG}, PAYSTACK_BODY + b" "),
    ],
)
def test_paystack_refuses_missing_wrong_or_tampered_signatures(headers, body):
    with pytest.raises(InvalidSignature):
        Paystack().parse_webhook(headers, body)


def test_stripe_accepts_the_documented_hmac_sha256_of_timestamp_dot_body(monkeypatch):
    monkeypatch.setattr("time.time", lambda: STRIPE_T + 299)
    header = f"t={STRIPE_T},v1={STRIPE_SIG}"
    notice = Stripe().parse_webhook({"Stripe-Signature": header}, STRIPE_BODY)
    assert notice.event_key == "evt_1"
    assert (notice.reference, notice.outcome, notice.amount, notice.currency) == (
        "FS-1",
        "succeeded",
        4_000_000,
        "NGN",
    )


def test_stripe_accepts_any_of_several_v1_signatures(monkeypatch):
    monkeypatch.setattr("time.time", lambda: STRIPE_T)
    header = f"t={STRIPE_T},v1={'0' * 64},v0=ignored,v1={STRIPE_SIG}"
    assert Stripe().parse_webhook({"stripe-signature": header}, STRIPE_BODY).event_key == "evt_1"


@pytest.mark.parametrize(
    ("header", "now"),
    [
        (f"t={STRIPE_T},v1={STRIPE_SIG}", STRIPE_T + 301),  # replayed outside tolerance
        (f"t={STRIPE_T},v1={STRIPE_SIG}", STRIPE_T - 301),  # from the future
        (f"t={STRIPE_T + 1},v1={STRIPE_SIG}", STRIPE_T),  # timestamp changed
        (f"t={STRIPE_T},v0={STRIPE_SIG}", STRIPE_T),  # only a v0
        (f"v1={STRIPE_SIG}", STRIPE_T),  # no timestamp
        (f"t=soon,v1={STRIPE_SIG}", STRIPE_T),
        ("", STRIPE_T),
    ],
)
def test_stripe_refuses_stale_forged_or_malformed_signatures(monkeypatch, header, now):
    monkeypatch.setattr("time.time", lambda: now)
    with pytest.raises(InvalidSignature):
        Stripe().parse_webhook({"Stripe-Signature": header}, STRIPE_BODY)


def test_a_signed_body_that_is_not_json_is_a_payload_error_not_a_signature_error():
    import hashlib
    import hmac

    body = b"{not json"
    signature = hmac.new(PAYSTACK_KEY.encode(), body, hashlib.sha512).hexdigest()
    with pytest.raises(WebhookError) as raised:
        Paystack().parse_webhook({"x-paystack-signature": signature}, body)
    assert raised.value.code == "invalid_payload"


@pytest.mark.parametrize(
    "payload",
    [
        {"event": "charge.success", "data": {"id": 1, "reference": "R", "amount": "100",
                                             "currency": "NGN"}},
        {"event": "charge.success", "data": {"id": 1, "reference": "R", "amount": 1.5,
                                             "currency": "NGN"}},
        {"event": "charge.success", "data": {"id": 1, "reference": "R", "amount": True,
                                             "currency": "NGN"}},
        {"event": "charge.success", "data": {"id": 1, "amount": 100, "currency": "NGN"}},
        {"event": "charge.success", "data": []},
        {"data": {"id": 1}},
    ],
)  # fmt: skip
def test_paystack_events_with_wrong_types_are_payload_errors(payload):
    with pytest.raises(WebhookError):
        Paystack().read_event(payload)


def test_minor_units_are_exact():
    from decimal import Decimal

    assert to_minor(Decimal("40000.00"), "NGN") == 4_000_000
    assert to_minor(Decimal("0.29"), "USD") == 29
    assert to_major(4_000_001, "NGN") == Decimal("40000.01")
    with pytest.raises(ValueError):
        to_minor(Decimal("1.005"), "NGN")
