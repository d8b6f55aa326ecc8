"""Reactions to events (registered in PaymentsConfig.ready): process a stored webhook
on the critical queue, and send the customer's receipt."""

from __future__ import annotations

from shared_domain.common.events import subscribe
from shared_domain.payments import events


def process_webhook(event: events.WebhookReceived) -> None:
    from shared_domain.payments.tasks import process_webhook_event

    process_webhook_event.enqueue(webhook_event_id=event.webhook_event_id)


def send_receipt(event: events.PaymentSucceeded) -> None:
    from shared_domain.payments.tasks import deliver_payment_receipt

    deliver_payment_receipt.enqueue(payment_id=event.payment_id)


def register() -> None:
    subscribe(events.WebhookReceived, process_webhook)
    subscribe(events.PaymentSucceeded, send_receipt)
