"""Refunds: staff for any paid order, a vendor for its own part within
VENDOR_REFUND_WINDOW_DAYS of payment; full or partial, per vendor order, through the
provider that took the money. Never more than was paid for the part (409
over_refund). Refunded units return to stock; the ledger takes the refund back from
the vendor and returns the commission on it.

A provider may take a refund as pending (Paystack always does): its webhook settles
the Refund row later, exactly once (refund_settle). A refund the provider reports
failed gives the money back to the ledger and to what may be refunded (staff try
again); its units stay returned, since the goods were."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared_domain.accounts.selectors import Account, vendor_profile_id_for_user
from shared_domain.common.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from shared_domain.common.events import publish
from shared_domain.orders.selectors import (
    SettlementPart,
    order_id_of_vendor_order,
    order_settlement,
)
from shared_domain.orders.services import vendor_order_record_refund
from shared_domain.payments.errors import OverRefund, RefundNotAllowed
from shared_domain.payments.events import RefundFailed, RefundSucceeded
from shared_domain.payments.models import Payment, Refund
from shared_domain.payments.money import to_minor
from shared_domain.payments.providers import RefundNotice, provider_get
from shared_domain.payments.services._common import audit_payment
from shared_domain.payments.services.ledger import (
    ledger_record_refund,
    ledger_record_refund_failed,
)

logger = logging.getLogger("fashionistar.payments")
# `refunded` too: a part whose refund failed at the provider still has money to return.
REFUNDABLE = ("paid", "processing", "shipped", "delivered", "partially_refunded", "refunded")
MAX_REASON = 255


@dataclasses.dataclass(frozen=True)
class RefundView:
    reference: str
    order_id: int
    vendor_order_id: int
    amount: int
    currency: str
    status: str
    items: dict[str, int]
    refunded_total: int
    refundable: int
    created_at: datetime


def _returned_before(refunds: list[Refund]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for refund in refunds:
        for item_id, quantity in refund.items.items():
            counts[int(item_id)] += int(quantity)
    return counts


def _units(
    part: SettlementPart, items: Mapping[int, int], before: Counter[int], currency: str
) -> tuple[int, list[tuple[int, int]]]:
    """Amount and (variant, units) of the items refunded; 400 for unknown items or
    more units than remain."""
    lines = {line.id: line for line in part.lines}
    problems: dict[str, list[str]] = {}
    amount = 0
    returned = []
    for item_id, quantity in items.items():
        line = lines.get(item_id)
        if line is None:
            problems[f"items.{item_id}"] = ["Not an item of this vendor order."]
            continue
        left = line.quantity - before[item_id]
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= left
        ):
            problems[f"items.{item_id}"] = [f"Give 1 to {left} units."]
            continue
        amount += to_minor(line.unit_price, currency) * quantity
        returned.append((line.variant_id, quantity))
    if problems:
        raise ValidationFailed(details=problems)
    return amount, returned


def _check_actor(actor: Account, part: SettlementPart, paid_at: datetime | None) -> None:
    if actor.is_staff:
        return
    vendor_id = vendor_profile_id_for_user(user=actor)
    if vendor_id is None:
        raise PermissionDenied("Only staff and the order's vendor refund.")
    if vendor_id != part.vendor_id:
        raise NotFound("No such order.")
    window = timedelta(days=settings.VENDOR_REFUND_WINDOW_DAYS)
    if paid_at is None or timezone.now() > paid_at + window:
        raise RefundNotAllowed(
            "The refund window of this order has closed; ask staff.",
            details={"window_days": settings.VENDOR_REFUND_WINDOW_DAYS},
        )


def refund_create(
    *,
    actor: Account,
    vendor_order_id: int,
    order_id: int | None = None,
    amount: int | None = None,
    items: Mapping[int, int] | None = None,
    reason: str = "",
) -> RefundView:
    """Refund `amount` (minor units), or the given order items (units), or else
    everything still refundable of the vendor order. The provider is called while
    the payment row is held, with an idempotency key fixed by the part and the
    refund's number, so a retry after a timeout cannot refund twice."""
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise ValidationFailed(details={"amount": ["A whole amount in minor units."]})
    if amount is not None and amount <= 0:
        raise ValidationFailed(details={"amount": ["Must be more than 0."]})
    the_order_id = order_id_of_vendor_order(vendor_order_id=vendor_order_id)
    if order_id is not None and order_id != the_order_id:
        raise NotFound("No such order.")
    with transaction.atomic():
        # Lock order: payment row first, then (orders services) order, vendor order.
        payment = (
            Payment.objects.select_for_update()
            .filter(order_id=the_order_id, status=Payment.Status.SUCCEEDED, flag="")
            .order_by("pk")
            .first()
        )
        order = order_settlement(order_id=the_order_id)
        part = order.part(vendor_order_id)
        _check_actor(actor, part, order.paid_at)
        if payment is None or part.status not in REFUNDABLE:
            raise RefundNotAllowed(details={"status": part.status})
        previous = list(Refund.objects.filter(vendor_order_id=part.id).order_by("pk"))
        counted = [r for r in previous if r.status != Refund.Status.FAILED]
        refunded_before = sum(r.amount for r in counted)
        subtotal = to_minor(part.subtotal, order.currency)
        remaining = subtotal - refunded_before
        returned: list[tuple[int, int]] = []
        # Units of a failed refund stay returned (the goods came back; only the money
        # did not go): a retry refunds by amount, not by the same units again.
        returned_before = _returned_before(previous)
        if items:
            before = returned_before
            item_amount, returned = _units(part, items, before, order.currency)
            amount = item_amount if amount is None else amount
        elif amount is None:
            amount = remaining
            before = returned_before
            returned = [
                (line.variant_id, line.quantity - before[line.id])
                for line in part.lines
                if line.quantity > before[line.id]
            ]
        if amount <= 0 or amount > remaining or payment.amount_refunded + amount > payment.amount:
            raise OverRefund(details={"refundable": max(0, remaining), "requested": amount})
        reference = f"RF-{part.id}-{len(previous) + 1}"
        result = provider_get(payment.provider).refund(
            reference=payment.reference,
            provider_id=payment.provider_id,
            amount=amount,
            idempotency_key=reference,
        )
        refund = Refund.objects.create(
            payment=payment,
            vendor_order_id=part.id,
            reference=reference,
            provider_refund_id=result.provider_refund_id,
            amount=amount,
            currency=payment.currency,
            status=Refund.Status.SUCCEEDED
            if result.status in {"succeeded", "processed"}
            else Refund.Status.PENDING,
            reason=reason.strip()[:MAX_REASON],
            items={str(k): v for k, v in (items or {}).items()},
            requested_by_id=actor.pk,
        )
        payment.amount_refunded += amount
        payment.save(update_fields=["amount_refunded", "updated_at"])
        commission = to_minor(part.commission_amount, order.currency)
        # Cumulative, so the reversals of a fully refunded part add up to its commission.
        reversed_before = commission * refunded_before // subtotal if subtotal else 0
        reversed_after = commission * (refunded_before + amount) // subtotal if subtotal else 0
        ledger_record_refund(
            refund=refund,
            vendor_id=part.vendor_id,
            commission_reversed=reversed_after - reversed_before,
        )
        vendor_order_record_refund(
            vendor_order_id=part.id,
            returned=returned,
            fully_refunded=refunded_before + amount == subtotal,
            actor_id=actor.pk,
        )
        audit_payment("payment.refunded", payment, actor_id=actor.pk, refund=reference,
                      amount=amount, vendor_order_id=part.id)  # fmt: skip
        publish(
            RefundSucceeded(
                refund_id=refund.pk,
                payment_id=payment.pk,
                order_id=order.id,
                vendor_order_id=part.id,
                amount=amount,
                currency=refund.currency,
            )
        )
    return RefundView(
        reference=refund.reference,
        order_id=order.id,
        vendor_order_id=part.id,
        amount=refund.amount,
        currency=refund.currency,
        status=refund.status,
        items=dict(refund.items),
        refunded_total=refunded_before + amount,
        refundable=remaining - amount,
        created_at=refund.created_at,
    )


def _refund_of(payment: Payment, notice: RefundNotice) -> Refund | None:
    refunds = Refund.objects.select_for_update().filter(payment=payment)
    if notice.provider_refund_id:
        found = refunds.filter(provider_refund_id=notice.provider_refund_id).first()
        if found is not None:
            return found
    # Without the provider's id (or before it was stored): the oldest pending refund of
    # that amount on the charge.
    return (
        refunds.filter(status=Refund.Status.PENDING, amount=notice.amount).order_by("pk").first()
    )


@transaction.atomic
def refund_settle(*, provider: str, notice: RefundNotice, source: str) -> str:
    """Apply what the provider reports of a refund, once: a pending refund becomes
    succeeded or failed; anything else (a refund already settled, a redelivered or
    late event) changes nothing. Returns what happened. Lock order: payment row, then
    refund row (as refund_create), then the ledger."""
    payments = Payment.objects.select_for_update().filter(provider=provider)
    if notice.payment_reference:
        payment = payments.filter(reference=notice.payment_reference).first()
    elif notice.payment_provider_id:
        payment = payments.filter(provider_id=notice.payment_provider_id).first()
    else:
        payment = None
    if payment is None:
        return "unknown_reference"
    refund = _refund_of(payment, notice)
    if refund is None:
        return "unknown_refund"
    if refund.status != Refund.Status.PENDING:
        return "refund_already_settled"
    if notice.currency != refund.currency or notice.amount != refund.amount:
        logger.warning(
            "refund %s reported as %s %s, expected %s %s: left pending for staff",
            refund.reference, notice.amount, notice.currency, refund.amount, refund.currency,
        )  # fmt: skip
        audit_payment("refund.mismatch", payment, refund=refund.reference,
                      reported=notice.amount, currency=notice.currency, source=source)  # fmt: skip
        return "refund_mismatch"
    refund.provider_refund_id = refund.provider_refund_id or notice.provider_refund_id
    if notice.outcome == "succeeded":
        refund.status = Refund.Status.SUCCEEDED
        refund.save(update_fields=["status", "provider_refund_id"])
        audit_payment("refund.succeeded", payment, refund=refund.reference,
                      amount=refund.amount, source=source)  # fmt: skip
        return "refund_succeeded"
    if notice.outcome != "failed":
        return "pending"
    refund.status = Refund.Status.FAILED
    refund.save(update_fields=["status", "provider_refund_id"])
    payment.amount_refunded -= refund.amount
    payment.save(update_fields=["amount_refunded", "updated_at"])
    ledger_record_refund_failed(refund=refund)
    audit_payment("refund.failed", payment, refund=refund.reference, amount=refund.amount,
                  vendor_order_id=refund.vendor_order_id, source=source)  # fmt: skip
    publish(
        RefundFailed(
            refund_id=refund.pk,
            payment_id=payment.pk,
            order_id=payment.order_id,
            vendor_order_id=refund.vendor_order_id,
            amount=refund.amount,
            currency=refund.currency,
        )
    )
    logger.warning("refund %s failed at %s: the money is refundable again",
                   refund.reference, provider)  # fmt: skip
    return "refund_failed"


@dataclasses.dataclass(frozen=True)
class OrderRefund:
    """A refund of a whole order: each part's refund, or why it could not be made."""

    refunds: list[RefundView]
    problems: dict[int, str]


def order_refund_in_full(*, actor: Account, order_id: int, reason: str = "") -> OrderRefund:
    """Staff: refund everything still refundable of every paid part of an order, one
    provider refund per vendor order (each its own transaction, so one part the
    provider refuses does not undo the others)."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff refund whole orders.")
    order = order_settlement(order_id=order_id)
    refunds: list[RefundView] = []
    problems: dict[int, str] = {}
    for part in order.parts:
        if part.status not in REFUNDABLE:
            continue
        try:
            refunds.append(
                refund_create(
                    actor=actor, vendor_order_id=part.id, order_id=order_id, reason=reason
                )
            )
        except DomainError as error:
            problems[part.id] = f"{error.code}: {error.message}"
    if not refunds and not problems:
        raise RefundNotAllowed(details={"status": order.status})
    return OrderRefund(refunds=refunds, problems=problems)
