"""Receiving provider webhooks: verify the signature on the raw body, store the event
(once per provider event key) and have it processed on the critical queue, all
before answering 200."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shared_domain.common.errors import DomainError
from shared_domain.common.events import publish
from shared_domain.payments.events import WebhookReceived
from shared_domain.payments.models import WebhookEvent
from shared_domain.payments.providers import provider_enabled


class WebhookTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413
    default_message = "The webhook body is too large."


@dataclasses.dataclass(frozen=True)
class WebhookReceipt:
    event_key: str
    duplicate: bool


def payment_webhook_receive(
    *, provider: str, headers: Mapping[str, str], body: bytes
) -> WebhookReceipt:
    """Nothing is stored unless the signature matches (InvalidSignature: 401) and the
    body is the provider's JSON (WebhookError: 400). A redelivered event is
    acknowledged without new work. The event and its processing task (through the
    outbox) commit together."""
    adapter = provider_enabled(provider)
    if len(body) > settings.PAYMENT_WEBHOOK_MAX_BYTES:
        raise WebhookTooLarge(details={"limit": settings.PAYMENT_WEBHOOK_MAX_BYTES})
    notice = adapter.parse_webhook(headers, body)
    with transaction.atomic():
        try:
            # A savepoint: a concurrent duplicate waits for the first insert's commit,
            # then fails here without breaking the outer transaction.
            with transaction.atomic():
                event = WebhookEvent.objects.create(
                    provider=adapter.code,
                    event_key=notice.event_key,
                    event_type=notice.event_type,
                    reference=notice.reference,
                    payload=notice.payload,
                )
        except IntegrityError:
            return WebhookReceipt(event_key=notice.event_key, duplicate=True)
        if not notice.actionable:
            # Kept for the record; nothing to do.
            event.processed_at = timezone.now()
            event.outcome = "ignored"
            event.save(update_fields=["processed_at", "outcome"])
        else:
            publish(WebhookReceived(webhook_event_id=event.pk))
    return WebhookReceipt(event_key=notice.event_key, duplicate=False)
