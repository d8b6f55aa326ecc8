"""Paystack (https://paystack.com/docs/api/): NGN by default, amounts in kobo.

- POST /transaction/initialize, GET /transaction/verify/{reference}, POST /refund,
  authenticated with `Authorization: Bearer <PAYSTACK_SECRET_KEY>`.
- Webhooks: `x-paystack-signature` is the hex HMAC-SHA512 of the raw body keyed with
  the secret key; an event is identified by (event, data.id).
- Vendors with a subaccount get their share routed by Paystack itself (one vendor:
  `subaccount` + `transaction_charge`; several: a flat dynamic `split`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from django.conf import settings

from shared_domain.payments.errors import InvalidSignature, ProviderRejected
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

SIGNATURE_HEADER = "x-paystack-signature"
_OUTCOMES: dict[str, Outcome] = {
    "success": "succeeded",
    "failed": "failed",
    "abandoned": "failed",
    "reversed": "failed",
}
_EVENTS: dict[str, Outcome] = {"charge.success": "succeeded", "charge.failed": "failed"}
# Refunds: created pending by POST /refund, settled by these events.
_REFUND_EVENTS: dict[str, Outcome] = {"refund.processed": "succeeded", "refund.failed": "failed"}


def sign(body: bytes, secret: str | None = None) -> str:
    key = secret if secret is not None else settings.PAYSTACK_SECRET_KEY
    return hmac.new(key.encode(), body, hashlib.sha512).hexdigest()


class Paystack:
    code = "paystack"

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        body = call(
            provider=self.code,
            base_url=settings.PAYSTACK_BASE_URL,
            method=method,
            path=path,
            headers={"Authorization": f"Bearer {settings.PAYSTACK_SECRET_KEY}"},
            **kwargs,
        )
        data = body.get("data")
        if body.get("status") is not True or not isinstance(data, dict):
            raise ProviderRejected(
                details={"provider": self.code, "message": str(body.get("message", ""))}
            )
        return data

    def initialize(self, request: ChargeRequest) -> Charge:
        payload: dict[str, Any] = {
            "email": request.email,
            "amount": str(request.amount),
            "currency": request.currency,
            "reference": request.reference,
            "metadata": dict(request.metadata),
        }
        if request.callback_url:
            payload["callback_url"] = request.callback_url
        if len(request.shares) == 1:
            share = request.shares[0]
            payload["subaccount"] = share.account
            # What the platform keeps; the subaccount gets the rest.
            payload["transaction_charge"] = request.amount - share.amount
            payload["bearer"] = "account"
        elif request.shares:
            payload["split"] = {
                "type": "flat",
                "bearer_type": "account",
                "subaccounts": [
                    {"subaccount": s.account, "share": s.amount} for s in request.shares
                ],
            }
        data = self._call(
            "POST",
            "/transaction/initialize",
            json=payload,
            idempotency_key=f"init-{request.reference}",
        )
        return Charge(
            provider_id=str(data.get("access_code", "")),
            authorization_url=str(data.get("authorization_url", "")),
        )

    def verify(self, *, reference: str, provider_id: str) -> Verification:
        data = self._call("GET", f"/transaction/verify/{quote(reference, safe='')}")
        return Verification(
            reference=str(data.get("reference", reference)),
            outcome=_OUTCOMES.get(str(data.get("status", "")), "pending"),
            amount=int(data.get("amount") or 0),
            currency=str(data.get("currency", "")).upper(),
            provider_id=str(data.get("id", provider_id)),
        )

    def refund(
        self, *, reference: str, provider_id: str, amount: int, idempotency_key: str
    ) -> RefundResult:
        data = self._call(
            "POST",
            "/refund",
            json={"transaction": reference, "amount": str(amount)},
            idempotency_key=idempotency_key,
        )
        return RefundResult(
            provider_refund_id=str(data.get("id", "")), status=str(data.get("status", ""))
        )

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Notice:
        given = header(headers, SIGNATURE_HEADER).strip().lower()
        if not given or not hmac.compare_digest(given.encode(), sign(body).encode()):
            raise InvalidSignature()
        return self.read_event(_read.json_object(body))

    def read_event(self, payload: dict[str, Any]) -> Notice:
        event = _read.text(payload, "event", limit=64)
        data = _read.obj(payload, "data")
        if event in _REFUND_EVENTS:
            return self._refund_event(event, data, payload)
        event_id = _read.text(data, "id", limit=64)
        outcome = _EVENTS.get(event)
        notice = Notice(event_key=f"{event}:{event_id}", event_type=event, payload=payload)
        if outcome is None:
            return notice
        return Notice(
            event_key=notice.event_key,
            event_type=event,
            payload=payload,
            reference=_read.text(data, "reference", limit=64),
            outcome=outcome,
            amount=_read.minor(data, "amount"),
            currency=_read.text(data, "currency", limit=3).upper(),
            provider_id=event_id,
        )

    def _refund_event(self, event: str, data: dict[str, Any], payload: dict[str, Any]) -> Notice:
        reference = _read.text(data, "transaction_reference", limit=64)
        amount = _read.minor_or_digits(data, "amount")
        refund_id = _read.text(data, "id", required=False, limit=64)
        # Deduplicated on (event, refund id); without an id, on what identifies it best.
        key = refund_id or _read.text(data, "refund_reference", required=False, limit=64)
        return Notice(
            event_key=f"{event}:{key or f'{reference}:{amount}'}",
            event_type=event,
            payload=payload,
            reference=reference,
            refunds=(
                RefundNotice(
                    provider_refund_id=refund_id,
                    outcome=_REFUND_EVENTS[event],
                    amount=amount,
                    currency=_read.text(data, "currency", limit=3).upper(),
                    payment_reference=reference,
                ),
            ),
        )
