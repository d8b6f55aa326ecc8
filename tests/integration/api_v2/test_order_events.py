"""GET /api/v2/orders/{id}/events: Server-Sent Events over the real ASGI stack (uvicorn
on a free port, httpx reading the stream) and the real Redis pub/sub."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from shared_domain.accounts import services as accounts
from shared_domain.orders.live import order_event_publish, order_events_channel
from shared_domain.orders.models import Order, OrderStatusChange
from tests.factories import PASSWORD, CustomerFactory, make_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_heartbeat() -> Iterator[None]:
    with override_settings(SSE_HEARTBEAT_SECONDS=0.3):
        yield


def _token(user: Any) -> str:
    return accounts.session_login(email=user.email, password=PASSWORD).tokens.access


def _placed_and_paid():
    """A paid order with its history: placed (pending_payment), then paid."""
    customer = CustomerFactory.create()
    order = make_order(customer, status="paid")
    OrderStatusChange.objects.create(order=order, from_status="", to_status="pending_payment")
    OrderStatusChange.objects.create(order=order, from_status="pending_payment", to_status="paid")
    return customer, order, _token(customer)


@pytest.fixture
async def paid():
    return await sync_to_async(_placed_and_paid)()


@sync_to_async
def transition(order: Order, to_status: str, *, vendor: bool = False, publish: bool = True) -> int:
    """Move the order (or its vendor order) on, write the history row, publish it."""
    vendor_order = order.vendor_orders.get()
    if vendor:
        from_status = vendor_order.status
        vendor_order.status = to_status
        vendor_order.save()
    else:
        from_status = Order.objects.get(pk=order.pk).status
        Order.objects.filter(pk=order.pk).update(status=to_status)
    change = OrderStatusChange.objects.create(
        order=order,
        vendor_order=vendor_order if vendor else None,
        from_status=from_status,
        to_status=to_status,
    )
    if publish:
        order_event_publish(change_id=change.pk)
    return change.pk


async def frames(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The SSE frames of a stream: {"comment": ...} or {"id", "event", "data"}."""
    frame: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line == "":
            if frame:
                yield frame
            frame = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            name, _, value = line.partition(": ")
            frame[name] = json.loads(value) if name == "data" else value


def stream(client: httpx.AsyncClient, url: str, token: str | None, **headers: str) -> Any:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.stream("GET", url, headers=headers, timeout=10)


async def test_current_status_then_live_changes_until_delivered(base_url, paid):
    _, order, token = paid
    url = f"{base_url}/api/v2/orders/{order.pk}/events"
    async with httpx.AsyncClient() as client, stream(client, url, token) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        received = frames(response)
        first = await anext(received)
        latest = await sync_to_async(lambda: order.history.order_by("-pk").first().pk)()
        assert first["event"] == "status"
        assert first["id"] == str(latest)
        assert first["data"]["to_status"] == "paid"
        assert first["data"]["order_status"] == "paid"
        assert set(first["data"]) == {
            "id", "order_id", "vendor_order_id", "from_status", "to_status", "order_status", "at"
        }  # fmt: skip

        shipped_id = await transition(order, "shipped", vendor=True)
        shipped = await anext(received)
        assert shipped["id"] == str(shipped_id)
        vendor_order_id = await sync_to_async(lambda: order.vendor_orders.get().pk)()
        assert shipped["data"]["vendor_order_id"] == vendor_order_id
        assert shipped["data"]["to_status"] == "shipped"

        await transition(order, "delivered")
        delivered = await anext(received)
        assert delivered["data"]["order_status"] == "delivered"
        # Terminal: the server ends the stream.
        rest = [f async for f in received if "comment" not in f]
        assert rest == []


async def test_last_event_id_replays_the_changes_after_it(base_url, paid):
    _, order, token = paid
    first_id = await sync_to_async(lambda: order.history.order_by("pk").first().pk)()
    await transition(order, "processing", vendor=True, publish=False)
    url = f"{base_url}/api/v2/orders/{order.pk}/events"
    async with (
        httpx.AsyncClient() as client,
        stream(client, url, token, **{"Last-Event-ID": str(first_id)}) as response,
    ):
        received = frames(response)
        replayed = [await anext(received), await anext(received)]
    assert [f["data"]["to_status"] for f in replayed] == ["paid", "processing"]
    assert [int(f["id"]) for f in replayed] == sorted(int(f["id"]) for f in replayed)
    assert all(int(f["id"]) > first_id for f in replayed)


async def test_another_customer_gets_404_and_no_token_401(base_url, paid):
    _, order, _ = paid
    stranger = await sync_to_async(CustomerFactory.create)()
    url = f"{base_url}/api/v2/orders/{order.pk}/events"
    async with httpx.AsyncClient() as client:
        response = await client.get(
            url, headers={"Authorization": f"Bearer {await sync_to_async(_token)(stranger)}"}
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        response = await client.get(url)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.usefixtures("fast_heartbeat")
async def test_an_idle_stream_sends_keep_alive_comments(base_url, paid):
    _, order, token = paid
    url = f"{base_url}/api/v2/orders/{order.pk}/events"
    async with httpx.AsyncClient() as client, stream(client, url, token) as response:
        received = frames(response)
        assert (await anext(received))["event"] == "status"
        started = time.monotonic()
        assert await anext(received) == {"comment": "keep-alive"}
        assert await anext(received) == {"comment": "keep-alive"}
        assert 0.4 < time.monotonic() - started < 3


async def _subscribers(redis_db: Any, order_id: int) -> int:
    channel = order_events_channel(order_id)
    return int(dict(redis_db.pubsub_numsub(channel)).get(channel.encode(), 0))


async def _wait_for_subscribers(redis_db: Any, order_id: int, count: int) -> None:
    deadline = time.monotonic() + 5
    while await _subscribers(redis_db, order_id) != count:
        assert time.monotonic() < deadline, f"expected {count} subscribers"
        await asyncio.sleep(0.05)


async def test_a_client_that_leaves_unsubscribes(base_url, paid, redis_db):
    _, order, token = paid
    url = f"{base_url}/api/v2/orders/{order.pk}/events"
    async with httpx.AsyncClient() as client, stream(client, url, token) as response:
        await anext(frames(response))
        assert await _subscribers(redis_db, order.pk) == 1
    await _wait_for_subscribers(redis_db, order.pk, 0)


async def test_a_redis_drop_loses_no_event(base_url, paid, redis_db):
    _, order, token = paid
    url = f"{base_url}/api/v2/orders/{order.pk}/events"
    async with httpx.AsyncClient() as client, stream(client, url, token) as response:
        received = frames(response)
        await anext(received)
        # A change whose message nobody hears (published while the link is down).
        missed = await transition(order, "processing", vendor=True, publish=False)
        killed = redis_db.client_kill_filter(_type="pubsub")
        assert killed >= 1
        replayed = await anext(received)
        assert replayed["id"] == str(missed)
        await _wait_for_subscribers(redis_db, order.pk, 1)
        await transition(order, "cancelled")
        rest = [f async for f in received if "comment" not in f]
    assert [f["data"]["to_status"] for f in rest] == ["cancelled"]


async def test_reconnecting_after_the_final_status_gets_204(base_url, paid):
    _, order, token = paid
    delivered = await transition(order, "delivered", publish=False)
    url = f"{base_url}/api/v2/orders/{order.pk}/events"
    async with httpx.AsyncClient() as client:
        headers = {"Authorization": f"Bearer {token}"}
        response = await client.get(url, headers={**headers, "Last-Event-ID": str(delivered)})
        assert response.status_code == 204
        # Without it: the final status, then the end of the stream.
        async with stream(client, url, token) as response:
            received = [f async for f in frames(response)]
    assert [(f["id"], f["data"]["order_status"]) for f in received] == [
        (str(delivered), "delivered")
    ]
