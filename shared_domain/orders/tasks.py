"""Tasks of the orders context: the order confirmation email (queue `emails`) and
the expiry of unpaid orders (scheduled every minute)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from shared_domain.common.idempotency import once
from shared_domain.common.tasking import app_task
from shared_domain.notifications.services import email_send
from shared_domain.orders.models import Order
from shared_domain.orders.services import checkout_keys_forget, orders_expire


@app_task(queue="emails", max_retries=5)
def deliver_order_confirmation(*, order_id: int) -> None:
    # Once per order, whatever retries or re-dispatches happen.
    with once(f"order-confirmation:{order_id}") as first:
        if not first:
            return
        order = Order.objects.select_related("customer").get(pk=order_id)
        email_send(
            to=order.customer.email,
            template="order_confirmation",
            context={
                "name": order.customer.full_name,
                "number": order.number,
                "items": list(order.items.order_by("pk")),
                "total": order.total,
                "currency": order.currency,
                "status": order.status,
                "expires_at": order.expires_at,
            },
        )


@app_task(queue="default")
def prune_checkout_keys(days: int | None = None) -> dict[str, int]:
    """Forget checkout Idempotency-Keys older than the retention (at least a day)."""
    keep = max(1, settings.IDEMPOTENCY_KEY_RETENTION_DAYS if days is None else days)
    return {"checkout_keys": checkout_keys_forget(before=timezone.now() - timedelta(days=keep))}


@app_task(queue="critical")
def expire_unpaid_orders() -> dict[str, Any]:
    """Cancel unpaid orders past their payment deadline and release their stock."""
    return {"cancelled": orders_expire()}
