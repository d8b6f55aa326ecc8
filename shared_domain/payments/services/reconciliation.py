"""Reconciliation: attempts still pending a while after they started are verified
with the provider and settled through the same path as webhooks, so a webhook that
never arrived still ends in `paid` (or `failed`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from shared_domain.payments.errors import ProviderRejected, ProviderUnavailable
from shared_domain.payments.models import Payment
from shared_domain.payments.providers import provider_get
from shared_domain.payments.services.settlement import payment_settle

logger = logging.getLogger("fashionistar.payments")


def payments_reconcile(*, older_than: float | None = None, limit: int = 200) -> dict[str, int]:
    """Verify up to `limit` attempts pending for longer than `older_than` seconds
    (PAYMENT_RECONCILE_AFTER), oldest first. Returns how many ended in each outcome.
    Attempts still pending long after their order's payment window are abandoned."""
    wait = settings.PAYMENT_RECONCILE_AFTER if older_than is None else older_than
    now = timezone.now()
    abandon_before = now - timedelta(seconds=2 * settings.ORDER_PAYMENT_TIMEOUT)
    pending = list(
        Payment.objects.filter(
            status=Payment.Status.PENDING, created_at__lte=now - timedelta(seconds=wait)
        )
        .order_by("created_at", "pk")
        .values_list("pk", "reference", "provider", "provider_id", "created_at")[:limit]
    )
    counts: dict[str, int] = {}
    for pk, reference, provider, provider_id, created_at in pending:
        try:
            found = provider_get(provider).verify(reference=reference, provider_id=provider_id)
        except (ProviderUnavailable, ProviderRejected) as exc:
            logger.warning("could not verify payment %s: %s", reference, exc.details)
            counts["unverified"] = counts.get("unverified", 0) + 1
            continue
        outcome = found.outcome
        if outcome == "pending" and created_at < abandon_before:
            outcome = "failed"
        result = payment_settle(
            reference=reference,
            provider=provider,
            outcome=outcome,
            amount=found.amount,
            currency=found.currency,
            provider_id=found.provider_id,
            source="reconciliation",
        )
        Payment.objects.filter(pk=pk).update(last_verified_at=timezone.now())
        counts[result] = counts.get(result, 0) + 1
    return counts
