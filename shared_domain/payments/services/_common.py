"""What the payments services share: the lock order, the per-order advisory lock and
the audit trail of payment state changes.

Lock order (every path takes them in this order, so none can deadlock another):

    webhook event row -> payment row -> refund row -> order row -> vendor order rows
    -> stock rows
    (stock rows in primary-key order, as checkout takes them)

Checkout takes only stock rows; the orders services take order -> vendor orders ->
stock. Payments never lock an order row themselves: they hold the payment row and
call the orders services, which lock the order.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from shared_domain.common.audit import audit_record
from shared_domain.common.idempotency import lock_id
from shared_domain.payments.models import Payment


def order_payments_lock(order_id: int) -> None:
    """Serialise the payment attempts of one order (inside atomic()): two concurrent
    initialisations must not open two charges."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id(f"payments:order:{order_id}")])


def audit_payment(
    action: str, payment: Payment, *, actor_id: int | None = None, **data: Any
) -> None:
    audit_record(
        action=action,
        actor_id=actor_id,
        subject=payment,
        data={
            "order_id": payment.order_id,
            "reference": payment.reference,
            "provider": payment.provider,
            "status": payment.status,
            **data,
        },
    )
