"""Live order updates: the order history as status events (the ids of
`OrderStatusChange` rows), the Redis channel each committed transition is published
on, and the publisher. The v2 stream (`GET /api/v2/orders/{id}/events`) reads these.

A message on `order_events_channel(order_id)` is the JSON of a `StatusEvent`:
`{"id", "order_id", "vendor_order_id", "from_status", "to_status", "order_status",
"at"}`; `order_status` is the order's status once that change was made.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from shared_domain.common.asyncdb import run_db
from shared_domain.common.errors import NotFound
from shared_domain.common.redis import REDIS_ERRORS, get_redis, open_async_pubsub
from shared_domain.common.timefmt import iso_utc
from shared_domain.orders.lifecycle import TERMINAL
from shared_domain.orders.models import Order, OrderStatusChange

logger = logging.getLogger("fashionistar.orders.live")

# Waits between attempts to reach Redis again after it dropped (seconds).
RECONNECT_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)


@dataclasses.dataclass(frozen=True)
class StatusEvent:
    id: int
    order_id: int
    vendor_order_id: int | None
    from_status: str
    to_status: str
    order_status: str
    at: datetime

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), separators=(",", ":"))

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["at"] = iso_utc(self.at)
        return data

    @classmethod
    def from_json(cls, raw: str | bytes) -> StatusEvent:
        data = json.loads(raw)
        return cls(
            id=int(data["id"]),
            order_id=int(data["order_id"]),
            vendor_order_id=data["vendor_order_id"],
            from_status=data["from_status"],
            to_status=data["to_status"],
            order_status=data["order_status"],
            at=datetime.fromisoformat(data["at"]),
        )


def closes(event: StatusEvent) -> bool:
    """The order's own change to a final status: nothing more will follow."""
    return event.vendor_order_id is None and event.order_status in TERMINAL


def order_events_channel(order_id: int) -> str:
    return f"orders:{order_id}:events"


def _order_for(customer: Any, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id, customer_id=customer.pk).only("pk", "status").first()
    if order is None:
        raise NotFound("No such order.")
    return order


def _events(
    order: Order, changes: list[OrderStatusChange], before: str | None
) -> list[StatusEvent]:
    """Events of consecutive history rows of `order`, the last being its latest.
    `before` is the order status set by the last order-level row before them."""
    latest_id = (
        OrderStatusChange.objects.filter(order_id=order.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    events = []
    order_status = before
    for change in changes:
        if change.vendor_order_id is None:
            order_status = change.to_status
        events.append(
            StatusEvent(
                id=change.pk,
                order_id=order.pk,
                vendor_order_id=change.vendor_order_id,
                from_status=change.from_status,
                to_status=change.to_status,
                # The latest row shows the order as it is (derived from its parts).
                order_status=order.status
                if change.pk == latest_id
                else order_status or order.status,
                at=change.created_at,
            )
        )
    return events


def _order_status_before(order_id: int, change_id: int) -> str | None:
    return (
        OrderStatusChange.objects.filter(
            order_id=order_id, vendor_order__isnull=True, pk__lt=change_id
        )
        .order_by("-pk")
        .values_list("to_status", flat=True)
        .first()
    )


def order_status_events(
    *, customer: Any, order_id: int, after_id: int | None = None
) -> list[StatusEvent]:
    """The history of the customer's order (after `after_id`), oldest first; someone
    else's order is not found."""
    order = _order_for(customer, order_id)
    changes = OrderStatusChange.objects.filter(order_id=order.pk).order_by("pk")
    if after_id is not None:
        changes = changes.filter(pk__gt=after_id)
    rows = list(changes)
    if not rows:
        return []
    return _events(order, rows, _order_status_before(order.pk, rows[0].pk))


def order_current_status(*, customer: Any, order_id: int) -> StatusEvent:
    """The latest history row of the customer's order, with the order's status."""
    order = _order_for(customer, order_id)
    latest = OrderStatusChange.objects.filter(order_id=order.pk).order_by("-pk").first()
    if latest is None:
        raise NotFound("This order has no history yet.")
    return StatusEvent(
        id=latest.pk,
        order_id=order.pk,
        vendor_order_id=latest.vendor_order_id,
        from_status=latest.from_status,
        to_status=latest.to_status,
        order_status=order.status,
        at=latest.created_at,
    )


def order_event_publish(*, change_id: int) -> None:
    """Publish a committed history row on its order's channel (call it after the
    commit: subscribers read the history to catch up, so it must be visible)."""
    change = OrderStatusChange.objects.select_related("order").filter(pk=change_id).first()
    if change is None:
        raise NotFound("No such status change.")
    (event,) = _events(change.order, [change], _order_status_before(change.order_id, change.pk))
    get_redis().publish(order_events_channel(change.order_id), event.as_json())


def status_event_publish(event: StatusEvent) -> None:
    """Publish a committed change already described in full (no database read)."""
    get_redis().publish(order_events_channel(event.order_id), event.as_json())


async def order_events_follow(
    *, customer: Any, order_id: int, after_id: int | None = None, heartbeat: float
) -> AsyncGenerator[StatusEvent | None, None]:
    """Follow the customer's order: first its current status (or, given `after_id`,
    every history event after it), then each transition as it is published, until
    one leaves the order in a terminal status. Yields None when nothing was yielded
    for `heartbeat` seconds (the caller keeps its connection alive).

    It subscribes before reading the history, so nothing falls between the two, and
    skips what it already yielded. When Redis drops it reconnects with backoff and
    catches up from the history after the last event it yielded. Closing the
    iterator (or cancelling its consumer) closes the subscription."""
    loop = asyncio.get_running_loop()
    channel = order_events_channel(order_id)
    seen: set[int] = set()
    last_id = after_id
    caught_up_once = False
    failures = 0
    last_out = loop.time()
    while True:
        pubsub = None
        try:
            pubsub = await open_async_pubsub()
            await pubsub.subscribe(channel)
            if not caught_up_once and after_id is None:
                history = [
                    await run_db(order_current_status, customer=customer, order_id=order_id)
                ]
            else:
                history = await run_db(
                    order_status_events, customer=customer, order_id=order_id, after_id=last_id
                )
            caught_up_once = True
            failures = 0
            for event in history:
                if event.id not in seen:
                    seen.add(event.id)
                    last_id = max(last_id or 0, event.id)
                    yield event
                    last_out = loop.time()
            if history and closes(history[-1]):
                return
            while True:
                wait = last_out + heartbeat - loop.time()
                if wait <= 0:
                    yield None
                    last_out = loop.time()
                    continue
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=wait)
                if message is None or message.get("type") != "message":
                    continue
                try:
                    event = StatusEvent.from_json(message["data"])
                except (ValueError, KeyError, TypeError):
                    logger.warning("Unreadable message on %s", channel)
                    continue
                if event.order_id != order_id or event.id in seen:
                    continue
                seen.add(event.id)
                last_id = max(last_id or 0, event.id)
                yield event
                last_out = loop.time()
                if closes(event):
                    return
        except REDIS_ERRORS as error:
            delay = RECONNECT_DELAYS[min(failures, len(RECONNECT_DELAYS) - 1)]
            failures += 1
            logger.warning(
                "Order events of %s lost Redis (%s); again in %.2f s", order_id, error, delay
            )
        finally:
            # Closing the connection ends its subscription on the server too.
            if pubsub is not None:
                await pubsub.aclose()
        await asyncio.sleep(delay)
        if loop.time() - last_out >= heartbeat:
            yield None
            last_out = loop.time()
