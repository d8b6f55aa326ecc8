"""Reactions to events (registered in OrdersConfig.ready): the confirmation email of
a placed order, live updates of every status change, and carrier deliveries."""

from __future__ import annotations

from shared_domain.common.events import subscribe
from shared_domain.orders import events
from shared_domain.shipping.events import TrackingUpdated


def send_confirmation(event: events.OrderPlaced) -> None:
    from shared_domain.orders.tasks import deliver_order_confirmation

    deliver_order_confirmation.enqueue(order_id=event.order_id)


def broadcast_status(event: events.OrderStatusChanged) -> None:
    """Publish the committed change to the order's live channel (Redis pub/sub). A
    stream that misses it (Redis down) catches up from the history. The placing of an
    order is not sent: nobody can follow an order before it exists (a stream starts
    from the current status)."""
    from shared_domain.orders.live import StatusEvent, status_event_publish

    if not event.from_status:
        return

    status_event_publish(
        StatusEvent(
            id=event.change_id,
            order_id=event.order_id,
            vendor_order_id=event.vendor_order_id,
            from_status=event.from_status,
            to_status=event.to_status,
            order_status=event.order_status,
            at=event.at,
        )
    )


def carrier_delivered(event: TrackingUpdated) -> None:
    from shared_domain.orders.services import vendor_order_mark_delivered

    if event.status == "delivered":
        vendor_order_mark_delivered(vendor_order_id=event.vendor_order_id)


def register() -> None:
    subscribe(events.OrderPlaced, send_confirmation)
    subscribe(events.OrderStatusChanged, broadcast_status)
    subscribe(TrackingUpdated, carrier_delivered)
