"""The customer is back from the provider's page: what became of the attempt. A
webhook may not have arrived (or been processed) yet, so a pending attempt is
verified with the provider and settled through the same idempotent path as webhooks
and reconciliation."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from shared_domain.accounts.selectors import Account
from shared_domain.common.errors import NotFound
from shared_domain.orders.selectors import order_settlement
from shared_domain.payments.errors import ProviderRejected, ProviderUnavailable
from shared_domain.payments.models import Payment
from shared_domain.payments.providers import provider_get
from shared_domain.payments.services.settlement import payment_settle

logger = logging.getLogger("fashionistar.payments")


@dataclasses.dataclass(frozen=True)
class PaymentStatus:
    reference: str
    provider: str
    status: str
    amount: int
    currency: str
    order_id: int
    order_status: str
    verified_at: datetime | None


def _verify(payment: Payment) -> None:
    try:
        found = provider_get(payment.provider).verify(
            reference=payment.reference, provider_id=payment.provider_id
        )
    except (ProviderUnavailable, ProviderRejected) as exc:
        # The customer still gets an answer (pending); the webhook or reconciliation
        # settles it later.
        logger.warning("could not verify payment %s: %s", payment.reference, exc.details)
        return
    payment_settle(
        reference=payment.reference,
        provider=payment.provider,
        outcome=found.outcome,
        amount=found.amount,
        currency=found.currency,
        provider_id=found.provider_id,
        source="customer_return",
    )


def payment_status_for_customer(*, customer: Account, reference: str) -> PaymentStatus:
    """The attempt `reference` of one of the customer's orders (NotFound for anyone
    else's). While pending it is verified with the provider, at most once per
    PAYMENT_RETURN_VERIFY_INTERVAL seconds per attempt, so a page polling this does
    not flood the provider."""
    payment = Payment.objects.filter(reference=reference[:64]).first()
    if payment is None:
        raise NotFound("No such payment.")
    # NotFound for another customer's order.
    order = order_settlement(order_id=payment.order_id, customer=customer)
    interval = timedelta(seconds=settings.PAYMENT_RETURN_VERIFY_INTERVAL)
    now = timezone.now()
    if payment.status == Payment.Status.PENDING and (
        payment.last_verified_at is None or payment.last_verified_at <= now - interval
    ):
        # Claimed first, so concurrent polls verify once.
        claimed = (
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING)
            .filter(Q(last_verified_at__isnull=True) | Q(last_verified_at__lte=now - interval))
            .update(last_verified_at=now)
        )
        if claimed:
            _verify(payment)
            order = order_settlement(order_id=payment.order_id)
        payment.refresh_from_db()
    return PaymentStatus(
        reference=payment.reference,
        provider=payment.provider,
        status=payment.status,
        amount=payment.amount,
        currency=payment.currency,
        order_id=payment.order_id,
        order_status=order.status,
        verified_at=payment.last_verified_at,
    )
