"""Reactions to orders events (registered in OrdersConfig.ready)."""

from __future__ import annotations

from shared_domain.common.events import subscribe
from shared_domain.orders import events


def send_confirmation(event: events.OrderPlaced) -> None:
    from shared_domain.orders.tasks import deliver_order_confirmation

    deliver_order_confirmation.enqueue(order_id=event.order_id)


def register() -> None:
    subscribe(events.OrderPlaced, send_confirmation)
