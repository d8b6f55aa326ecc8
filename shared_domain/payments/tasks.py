"""Tasks of the payments context: processing stored webhooks and reconciliation
(queue `critical`), and the payment receipt (queue `emails`)."""

from __future__ import annotations

from shared_domain.common.idempotency import once
from shared_domain.common.tasking import app_task
from shared_domain.notifications.services import email_send
from shared_domain.orders.selectors import order_settlement
from shared_domain.payments.models import Payment
from shared_domain.payments.money import to_major
from shared_domain.payments.services import payments_reconcile, webhook_event_process


@app_task(queue="critical", max_retries=5)
def process_webhook_event(*, webhook_event_id: int) -> str:
    """Settle what a stored webhook reports (safe to run twice: it runs once)."""
    return webhook_event_process(webhook_event_id=webhook_event_id)


@app_task(queue="critical")
def reconcile_pending_payments() -> dict[str, int]:
    """Verify attempts pending too long with their provider (scheduled every 15 min)."""
    return payments_reconcile()


@app_task(queue="emails", max_retries=5)
def deliver_payment_receipt(*, payment_id: int) -> None:
    with once(f"payment-receipt:{payment_id}") as first:
        if not first:
            return
        payment = Payment.objects.get(pk=payment_id)
        order = order_settlement(order_id=payment.order_id)
        email_send(
            to=order.customer_email,
            template="payment_receipt",
            context={
                "name": order.customer_name,
                "number": order.number,
                "amount": to_major(payment.amount, payment.currency),
                "currency": payment.currency,
                "reference": payment.reference,
                "provider": payment.get_provider_display(),
            },
        )
