"""v2 live order updates: `GET /orders/{id}/events`, a Server-Sent Events stream of
the order's status changes, fed by Redis pub/sub (shared_domain.orders.live)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Router

from async_service.api.common_schemas import ErrorOut
from async_service.api.security import current_user, jwt_auth
from shared_domain.common.asyncdb import run_db
from shared_domain.orders.live import (
    StatusEvent,
    closes,
    order_current_status,
    order_events_follow,
)

router = Router(tags=["orders"])

KEEP_ALIVE = b": keep-alive\n\n"

# One event of the stream, as an EventSource (and a validating client) parses it: its
# `data` is the JSON of shared_domain.orders.live.StatusEvent.
STATUS_EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "id", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["status"]},
        "id": {"type": "string", "pattern": "^[0-9]+$", "description": "The history id."},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
                "type": "object",
                "required": [
                    "id", "order_id", "vendor_order_id", "from_status", "to_status",
                    "order_status", "at",
                ],
                "properties": {
                    "id": {"type": "integer"},
                    "order_id": {"type": "integer"},
                    "vendor_order_id": {"type": ["integer", "null"]},
                    "from_status": {"type": "string"},
                    "to_status": {"type": "string"},
                    "order_status": {"type": "string"},
                    "at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}  # fmt: skip


def _frame(event: StatusEvent) -> bytes:
    return f"id: {event.id}\nevent: status\ndata: {event.as_json()}\n\n".encode()


def _last_event_id(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID", "").strip()
    # Anything but an id we gave out means "from the current status".
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


async def _sse(events: AsyncGenerator[StatusEvent | None, None]) -> AsyncIterator[bytes]:
    try:
        async for event in events:
            yield KEEP_ALIVE if event is None else _frame(event)
    finally:
        # A disconnected client cancels this generator: close the subscription now,
        # not whenever the garbage collector gets to it.
        await events.aclose()


@router.get(
    "/orders/{order_id}/events",
    response={401: ErrorOut, 404: ErrorOut},
    auth=jwt_auth,
    operation_id="v2_order_events",
    openapi_extra={
        "responses": {
            "200": {
                "description": "text/event-stream: `event: status` frames whose `id` is the "
                "history id and whose `data` is `{id, order_id, vendor_order_id, "
                "from_status, to_status, order_status, at}`; `: keep-alive` comments "
                "while idle.",
                "content": {"text/event-stream": {"schema": STATUS_EVENT_SCHEMA}},
            },
            "204": {
                "description": "The client has seen the order's final status: nothing more "
                "will come (an EventSource stops reconnecting)."
            },
        }
    },
)
async def order_events(
    request: HttpRequest, order_id: int
) -> HttpResponse | StreamingHttpResponse:
    """Live status of your order (Server-Sent Events). First the current status (with
    a `Last-Event-ID` header: every change after that id), then each change as it
    happens; the stream ends once the order is delivered, cancelled or refunded (a
    reconnection after that final status gets 204). Someone else's order is 404."""
    customer = current_user(request)
    after_id = _last_event_id(request)
    # Authorise before the stream starts, so that a stranger gets an ordinary 404.
    current = await run_db(order_current_status, customer=customer, order_id=order_id)
    if after_id is not None and after_id >= current.id and closes(current):
        return HttpResponse(status=204)
    follow = order_events_follow(
        customer=customer,
        order_id=order_id,
        after_id=after_id,
        heartbeat=settings.SSE_HEARTBEAT_SECONDS,
    )
    response = StreamingHttpResponse(_sse(follow), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # nginx (the k8s ingress) would otherwise buffer the stream.
    response["X-Accel-Buffering"] = "no"
    return response
