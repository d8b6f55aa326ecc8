"""Settling payment attempts from what the provider reports (a signed webhook, or
its verify endpoint during reconciliation), exactly once and never backwards."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from shared_domain.common.events import publish
from shared_domain.orders.lifecycle import InvalidTransition
from shared_domain.orders.selectors import order_settlement
from shared_domain.orders.services import order_mark_paid, order_mark_payment_failed
from shared_domain.payments.events import PaymentFailed, PaymentFlagged, PaymentSucceeded
from shared_domain.payments.models import Payment, WebhookEvent
from shared_domain.payments.money import to_minor
from shared_domain.payments.providers import provider_get
from shared_domain.payments.services._common import audit_payment
from shared_domain.payments.services.ledger import ledger_record_sale
from shared_domain.payments.services.refunds import refund_settle

logger = logging.getLogger("fashionistar.payments")
Status = Payment.Status
Flag = Payment.Flag


def _flag(payment: Payment, flag: str, *, status: str | None = None, **details: Any) -> None:
    payment.flag = flag
    payment.flag_details = {**details, "at": timezone.now().isoformat()}
    fields = ["flag", "flag_details", "updated_at"]
    if status is not None:
        payment.status = status
        fields.append("status")
    payment.save(update_fields=fields)
    audit_payment("payment.flagged", payment, flag=flag, **details)
    publish(PaymentFlagged(payment_id=payment.pk, order_id=payment.order_id, flag=flag))
    logger.warning(
        "payment %s flagged for staff: %s", payment.reference, flag, extra={"details": details}
    )


def _succeed(
    payment: Payment, *, amount: int, currency: str, provider_id: str, source: str
) -> str:
    if payment.status == Status.SUCCEEDED:
        return "already_settled"
    if payment.status == Status.REVIEW:
        return "held_for_review"
    order = order_settlement(order_id=payment.order_id)
    expected = to_minor(order.total, order.currency)
    if currency != payment.currency or currency != order.currency:
        _flag(payment, Flag.CURRENCY_MISMATCH, status=Status.REVIEW, expected=payment.currency,
              reported=currency, source=source)  # fmt: skip
        return "currency_mismatch"
    if amount != payment.amount or amount != expected:
        _flag(payment, Flag.AMOUNT_MISMATCH, status=Status.REVIEW, expected=payment.amount,
              reported=amount, source=source)  # fmt: skip
        return "amount_mismatch"
    payment.status = Status.SUCCEEDED
    payment.settled_at = timezone.now()
    payment.provider_id = provider_id or payment.provider_id
    payment.save(update_fields=["status", "settled_at", "provider_id", "updated_at"])
    audit_payment("payment.succeeded", payment, source=source, amount=amount)
    other = (
        Payment.objects.filter(order_id=payment.order_id, status=Status.SUCCEEDED)
        .exclude(pk=payment.pk)
        .exists()
    )
    if other:
        _flag(payment, Flag.DUPLICATE, source=source)
        return "duplicate_payment"
    try:
        order_mark_paid(order_id=payment.order_id)
    except InvalidTransition as exc:
        _flag(payment, Flag.PAID_AFTER_CLOSE, order_status=exc.details.get("status"),
              source=source)  # fmt: skip
        return "paid_after_close"
    ledger_record_sale(payment=payment, order=order)
    publish(
        PaymentSucceeded(
            payment_id=payment.pk,
            order_id=payment.order_id,
            provider=payment.provider,
            amount=payment.amount,
            currency=payment.currency,
        )
    )
    return "paid"


def _fail(payment: Payment, *, source: str) -> str:
    # Only an open attempt can fail: a failure reported after a success (or a refund)
    # is late news and changes nothing.
    if payment.status != Status.PENDING:
        return "stale"
    payment.status = Status.FAILED
    payment.settled_at = timezone.now()
    payment.save(update_fields=["status", "settled_at", "updated_at"])
    audit_payment("payment.failed", payment, source=source)
    order_mark_payment_failed(order_id=payment.order_id, reason=f"{payment.provider}_declined")
    publish(PaymentFailed(payment_id=payment.pk, order_id=payment.order_id,
                          provider=payment.provider))  # fmt: skip
    return "failed"


@transaction.atomic
def payment_settle(
    *,
    reference: str,
    provider: str,
    outcome: str,
    amount: int,
    currency: str,
    provider_id: str = "",
    source: str,
) -> str:
    """Apply what the provider reports of an attempt; returns what happened
    (paid, failed, already_settled, stale, amount_mismatch, unknown_reference...).
    Holds the payment row, then lets the orders services lock the order."""
    payment = (
        Payment.objects.select_for_update().filter(reference=reference, provider=provider).first()
    )
    if payment is None:
        return "unknown_reference"
    if outcome == "succeeded":
        return _succeed(
            payment, amount=amount, currency=currency, provider_id=provider_id, source=source
        )
    if outcome == "failed":
        return _fail(payment, source=source)
    return "pending"


@transaction.atomic
def webhook_event_process(*, webhook_event_id: int) -> str:
    """Process a stored webhook once: a second run (a retried task, a re-dispatched
    event) finds it processed and does nothing."""
    event = WebhookEvent.objects.select_for_update().get(pk=webhook_event_id)
    if event.processed_at is not None:
        return event.outcome
    notice = provider_get(event.provider).read_event(event.payload)
    source = f"webhook:{event.event_key}"
    if notice.refunds:
        results = {
            refund_settle(provider=event.provider, notice=refund, source=source)
            for refund in notice.refunds
        }
        outcome = results.pop() if len(results) == 1 else "refunds_settled"
    elif notice.outcome is None or notice.amount is None:
        outcome = "ignored"
    else:
        outcome = payment_settle(
            reference=notice.reference,
            provider=event.provider,
            outcome=notice.outcome,
            amount=notice.amount,
            currency=notice.currency,
            provider_id=notice.provider_id,
            source=source,
        )
    event.processed_at = timezone.now()
    event.outcome = outcome
    event.save(update_fields=["processed_at", "outcome"])
    return outcome
