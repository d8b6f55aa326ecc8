"""Writes of the payments context. Callers use this package; the modules are its seams."""

from shared_domain.payments.services.reconciliation import payments_reconcile
from shared_domain.payments.services.refunds import RefundView, refund_create
from shared_domain.payments.services.settlement import payment_settle, webhook_event_process
from shared_domain.payments.services.starting import PaymentStart, payment_start, provider_check
from shared_domain.payments.services.webhooks import (
    WebhookReceipt,
    WebhookTooLarge,
    payment_webhook_receive,
)

__all__ = [
    "PaymentStart",
    "RefundView",
    "WebhookReceipt",
    "WebhookTooLarge",
    "payment_settle",
    "payment_start",
    "payment_webhook_receive",
    "payments_reconcile",
    "provider_check",
    "refund_create",
    "webhook_event_process",
]
