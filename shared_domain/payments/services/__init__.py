"""Writes of the payments context. Callers use this package; the modules are its seams."""

from shared_domain.payments.services.reconciliation import payments_reconcile
from shared_domain.payments.services.refunds import (
    OrderRefund,
    RefundView,
    order_refund_in_full,
    refund_create,
    refund_settle,
)
from shared_domain.payments.services.returning import PaymentStatus, payment_status_for_customer
from shared_domain.payments.services.settlement import payment_settle, webhook_event_process
from shared_domain.payments.services.starting import PaymentStart, payment_start, provider_check
from shared_domain.payments.services.webhooks import (
    WebhookReceipt,
    WebhookTooLarge,
    payment_webhook_receive,
)

__all__ = [
    "OrderRefund",
    "PaymentStart",
    "PaymentStatus",
    "RefundView",
    "WebhookReceipt",
    "WebhookTooLarge",
    "order_refund_in_full",
    "payment_settle",
    "payment_start",
    "payment_status_for_customer",
    "payment_webhook_receive",
    "payments_reconcile",
    "provider_check",
    "refund_create",
    "refund_settle",
    "webhook_event_process",
]
