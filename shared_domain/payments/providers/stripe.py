"""Stripe (https://docs.stripe.com/api): PaymentIntents, amounts in the currency's
smallest unit, form-encoded requests with `Authorization: Bearer <STRIPE_SECRET_KEY>`.

- POST /v1/payment_intents (Idempotency-Key), GET /v1/payment_intents/{id},
  POST /v1/refunds (Idempotency-Key).
- Webhooks: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]`, HMAC-SHA256 of
  "{t}.{raw body}" keyed with STRIPE_WEBHOOK_SECRET; any v1 may match; older than
  STRIPE_WEBHOOK_TOLERANCE (300 s) is refused. An event is identified by its id.
- One vendor with a connected account: a destination charge (`transfer_data`) with
  the platform's commission as `application_fee_amount`; otherwise the platform
  collects and the ledger owes the vendors.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from django.conf import settings

from shared_domain.payments.errors import InvalidSignature, WebhookError
from shared_domain.payments.providers import _read
from shared_domain.payments.providers.base import (
    Charge,
    ChargeRequest,
    Notice,
    Outcome,
    RefundNotice,
    RefundResult,
    Verification,
    header,
)
from shared_domain.payments.providers.http import call

SIGNATURE_HEADER = "Stripe-Signature"
_EVENTS: dict[str, Outcome] = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "failed",
}
# Refund events: `charge.refunded` carries the charge (with its refunds when the API
# version expands them); `refund.updated`/`refund.failed` carry one refund.
_REFUND_OBJECT_EVENTS = {"refund.updated", "refund.failed"}
_REFUND_STATUSES: dict[str, Outcome] = {
    "succeeded": "succeeded",
    "failed": "failed",
    "canceled": "failed",
}


def sign(body: bytes, timestamp: int, secret: str | None = None) -> str:
    key = secret if secret is not None else settings.STRIPE_WEBHOOK_SECRET
    signed = f"{timestamp}.".encode() + body
    return hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(body: bytes, timestamp: int | None = None, secret: str | None = None) -> str:
    at = int(time.time()) if timestamp is None else timestamp
    return f"t={at},v1={sign(body, at, secret)}"


def _intent_outcome(intent: dict[str, Any]) -> Outcome:
    status = intent.get("status")
    if status == "succeeded":
        return "succeeded"
    if status == "canceled" or (
        status == "requires_payment_method" and intent.get("last_payment_error")
    ):
        return "failed"
    return "pending"


class Stripe:
    code = "stripe"

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return call(
            provider=self.code,
            base_url=settings.STRIPE_BASE_URL,
            method=method,
            path=path,
            headers={"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}"},
            **kwargs,
        )

    def initialize(self, request: ChargeRequest) -> Charge:
        form = {
            "amount": str(request.amount),
            "currency": request.currency.lower(),
            "automatic_payment_methods[enabled]": "true",
            "receipt_email": request.email,
            "metadata[reference]": request.reference,
            "transfer_group": request.reference,
        }
        for key, value in request.metadata.items():
            form[f"metadata[{key}]"] = str(value)
        if len(request.shares) == 1:
            share = request.shares[0]
            form["transfer_data[destination]"] = share.account
            form["application_fee_amount"] = str(request.amount - share.amount)
        intent = self._call(
            "POST",
            "/v1/payment_intents",
            data=form,
            idempotency_key=f"init-{request.reference}",
        )
        return Charge(
            provider_id=str(intent.get("id", "")),
            client_secret=str(intent.get("client_secret", "")),
        )

    def verify(self, *, reference: str, provider_id: str) -> Verification:
        intent = self._call("GET", f"/v1/payment_intents/{quote(provider_id, safe='')}")
        metadata = intent.get("metadata") if isinstance(intent.get("metadata"), dict) else {}
        return Verification(
            reference=str((metadata or {}).get("reference", reference)),
            outcome=_intent_outcome(intent),
            amount=int(intent.get("amount_received") or intent.get("amount") or 0),
            currency=str(intent.get("currency", "")).upper(),
            provider_id=str(intent.get("id", provider_id)),
        )

    def refund(
        self, *, reference: str, provider_id: str, amount: int, idempotency_key: str
    ) -> RefundResult:
        refund = self._call(
            "POST",
            "/v1/refunds",
            data={
                "payment_intent": provider_id,
                "amount": str(amount),
                "metadata[reference]": reference,
            },
            idempotency_key=idempotency_key,
        )
        return RefundResult(
            provider_refund_id=str(refund.get("id", "")), status=str(refund.get("status", ""))
        )

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Notice:
        timestamp, signatures = _signature_parts(header(headers, SIGNATURE_HEADER))
        if abs(time.time() - timestamp) > settings.STRIPE_WEBHOOK_TOLERANCE:
            raise InvalidSignature("The webhook signature is too old (or from the future).")
        expected = sign(body, timestamp).encode()
        # Compare with every v1 (Stripe sends several while a secret is being rolled).
        if not any(hmac.compare_digest(expected, given.encode()) for given in signatures):
            raise InvalidSignature()
        return self.read_event(_read.json_object(body))

    def read_event(self, payload: dict[str, Any]) -> Notice:
        event_id = _read.text(payload, "id", limit=255)
        event_type = _read.text(payload, "type", limit=64)
        notice = Notice(event_key=event_id, event_type=event_type, payload=payload)
        if event_type == "charge.refunded" or event_type in _REFUND_OBJECT_EVENTS:
            return _refund_notice(notice)
        outcome = _EVENTS.get(event_type)
        if outcome is None:
            return notice
        intent = _read.obj(_read.obj(payload, "data"), "object")
        metadata = intent.get("metadata")
        if not isinstance(metadata, dict):
            raise WebhookError(details={"data.object.metadata": ["Expected an object."]})
        amount_field = "amount_received" if outcome == "succeeded" else "amount"
        return Notice(
            event_key=event_id,
            event_type=event_type,
            payload=payload,
            reference=_read.text(metadata, "reference", limit=64),
            outcome=outcome,
            amount=_read.minor(intent, amount_field),
            currency=_read.text(intent, "currency", limit=3).upper(),
            provider_id=_read.text(intent, "id", limit=128),
        )


def _refund_notice(notice: Notice) -> Notice:
    found = _read.obj(_read.obj(notice.payload, "data"), "object")
    if notice.event_type == "charge.refunded":
        listed = found.get("refunds")
        refunds = listed.get("data") if isinstance(listed, dict) else None
        charge_metadata = found.get("metadata")
    else:
        refunds, charge_metadata = [found], None
    if not isinstance(refunds, list):
        return notice  # not expanded in this API version: refund.updated reports each
    read = []
    for refund in refunds:
        if not isinstance(refund, dict):
            raise WebhookError(details={"refunds": ["Expected objects."]})
        outcome = _REFUND_STATUSES.get(str(refund.get("status", "")), "pending")
        metadata = refund.get("metadata") if isinstance(refund.get("metadata"), dict) else None
        metadata = metadata or (charge_metadata if isinstance(charge_metadata, dict) else {})
        intent = refund.get("payment_intent") or found.get("payment_intent") or ""
        read.append(
            RefundNotice(
                provider_refund_id=_read.text(refund, "id", limit=128),
                outcome=outcome,
                amount=_read.minor(refund, "amount"),
                currency=_read.text(refund, "currency", limit=3).upper(),
                payment_reference=str(metadata.get("reference", ""))[:64],
                payment_provider_id=str(intent)[:128],
            )
        )
    return dataclasses.replace(notice, refunds=tuple(r for r in read if r.outcome != "pending"))


def _signature_parts(value: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in value.split(","):
        key, _, given = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(given)
            except ValueError:
                raise InvalidSignature() from None
        elif key == "v1" and given:
            signatures.append(given.strip().lower())
    if timestamp is None or not signatures:
        raise InvalidSignature()
    return timestamp, signatures
