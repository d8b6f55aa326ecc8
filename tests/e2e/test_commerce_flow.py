"""SPEC §8 steps 6, 7 and 9 through the ingress on the real servers: a customer fills a
cart and checks out on v1 (idempotently), the order is paid, the vendor ships and
delivers on v1, and the customer follows it on v2, live over Server-Sent Events."""

from __future__ import annotations

import json
import threading
import uuid

import pytest

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Fashionistar-Demo-2026"
ADDRESS = {"name": "Ada Obi", "line1": "12 Marina Road", "city": "Lagos", "state": "Lagos",
           "country": "NG", "phone": "+234 803 123 4567"}  # fmt: skip


def _login(ingress, email):
    response = ingress.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def _read_events(stream, into, done):
    """Collect SSE events (id, event, data) until the stream ends."""
    event: dict[str, str] = {}
    for line in stream.iter_lines():
        if line == "":
            if "data" in event:
                into.append(event)
            event = {}
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(": ")
        event[field] = value
    done.set()


def test_cart_checkout_fulfilment_and_live_updates(ingress, e2e_env):
    from deploy.localstack.stack import manage

    manage(["seed_demo", "--vendors", "1", "--products", "12"], env=e2e_env)
    customer = _login(ingress, "customer@fashionistar.example")
    vendor = _login(ingress, "vendor1@fashionistar.example")
    store = ingress.get("/api/v1/vendor/profile", headers=vendor).json()
    found = ingress.get(
        "/api/v2/products/search", params={"in_stock": "true", "limit": 5, "vendor": store["slug"]}
    ).json()
    product = ingress.get(f"/api/v2/products/{found['items'][0]['id']}").json()
    variant = next(v for v in product["variants"] if v["available"] >= 2)

    # §8 step 6: the cart.
    added = ingress.post("/api/v1/cart/items", headers=customer,
                         json={"variant_id": variant["id"], "quantity": 2})  # fmt: skip
    assert added.status_code == 201, added.text
    cart = ingress.get("/api/v1/cart", headers=customer).json()
    line = cart["items"][0]
    assert {"id", "variant_id", "quantity", "unit_price", "line_total"} <= set(line)
    assert cart["currency"] == product["currency"]

    # §8 step 7: checkout, replayed, and the same key with another body.
    key = {"Idempotency-Key": str(uuid.uuid4())}
    placed = ingress.post("/api/v1/checkout", headers={**customer, **key},
                          json={"shipping_address": ADDRESS})  # fmt: skip
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["status"] == "pending_payment"
    assert order["number"].startswith("FS-")
    assert order["expires_at"]
    assert order["vendor_orders"][0]["vendor"]["name"]
    again = ingress.post("/api/v1/checkout", headers={**customer, **key},
                         json={"shipping_address": ADDRESS})  # fmt: skip
    assert again.status_code == 200
    assert again.json()["id"] == order["id"]
    other = ingress.post("/api/v1/checkout", headers={**customer, **key},
                         json={"shipping_address": {**ADDRESS, "city": "Abuja"}})  # fmt: skip
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"

    # Payment (the payments context's webhook will call this service).
    manage(["shell", "-c", "from shared_domain.orders.services import order_mark_paid; "
                           f"order_mark_paid(order_id={order['id']})"], env=e2e_env)  # fmt: skip

    # Live updates: the current status first, then each change as it happens.
    events: list[dict[str, str]] = []
    done = threading.Event()
    with ingress.stream("GET", f"/api/v2/orders/{order['id']}/events", headers=customer,
                        timeout=30) as stream:  # fmt: skip
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        reader = threading.Thread(target=_read_events, args=(stream, events, done), daemon=True)
        reader.start()

        # §8 step 9: the vendor ships and delivers its part.
        part = order["vendor_orders"][0]["id"]
        shipped = ingress.post(f"/api/v1/vendor/orders/{part}/ship", headers=vendor,
                               json={"carrier": "local", "tracking_number": "E2E-TRK-1"})  # fmt: skip
        assert shipped.status_code == 200, shipped.text
        seen = ingress.get(f"/api/v2/orders/{order['id']}", headers=customer).json()
        assert seen["status"] == "shipped"
        assert seen["vendor_orders"][0]["shipment"]["tracking_number"] == "E2E-TRK-1"
        delivered = ingress.post(f"/api/v1/vendor/orders/{part}/deliver", headers=vendor)
        assert delivered.status_code == 200, delivered.text
        assert done.wait(20), events  # delivered is final: the server ends the stream

    statuses = [json.loads(e["data"])["order_status"] for e in events]
    assert statuses[0] == "paid"
    assert statuses[-1] == "delivered"
    assert "shipped" in statuses
    assert all(e["event"] == "status" for e in events)
    assert [int(e["id"]) for e in events] == sorted(int(e["id"]) for e in events)
