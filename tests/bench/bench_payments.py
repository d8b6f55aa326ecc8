"""Payment webhook benchmark through the ingress, with a running worker.

    python -m deploy.localstack exec -- python -m tests.bench.bench_payments   # make bench-payments

Boots the stack as `make run` does (v1, v2, worker + scheduler, sandbox, ingress) on
a seeded database with ORDERS unpaid orders, each with a pending Paystack attempt.

1. Ingestion: CONCURRENCY connections post signed `charge.success` webhooks (each a
   new event id, for the attempts in turn) to `POST /api/v1/payments/webhooks/paystack`
   for DURATION seconds: events/s accepted (200) and latency percentiles. Each
   accepted event is stored and its processing task enqueued in one transaction.
2. Webhook -> paid: for LATENCY_ORDERS fresh orders, one webhook at a time (after
   the ingestion backlog drained): from posting the webhook to `GET
   /api/v1/orders/{id}` answering `"status": "paid"` (polled every POLL seconds), i.e.
   ingress + signature + store + outbox + task pick-up + settlement.

The raw baseline, measured in the same run, is the ingress answering by itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from typing import Any

from tests.bench.bench_catalog import (
    INGRESS_ONLY,
    Result,
    _Connection,
    _load,
    seeded_database,
)
from tests.bench.bench_checkout import _django

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "200"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
ORDERS = int(os.environ.get("BENCH_PAYMENT_ORDERS", "200"))
LATENCY_ORDERS = int(os.environ.get("BENCH_LATENCY_ORDERS", "30"))
POLL = float(os.environ.get("BENCH_POLL", "0.01"))
PATH = "/api/v1/payments/webhooks/paystack"

_PREPARE = """
import json, sys, secrets
import django
django.setup()
from shared_domain.accounts import services as accounts
from shared_domain.accounts.roles import Role
from shared_domain.accounts.tokens import access_token
from shared_domain.catalog.selectors import variant_ids_on_sale
from shared_domain.inventory.services import stock_set
from shared_domain.orders.services import order_place
from shared_domain.payments.models import Payment
count = int(sys.argv[1])
user = accounts.account_provision(email="payer@bench.example",
    password_hash=accounts.password_hash("Bench-Pass-2026!"), role=Role.CUSTOMER,
    full_name="Bench Payer")
variants = variant_ids_on_sale(currency="NGN", limit=20)
for variant_id in variants:
    stock_set(variant_id=variant_id, quantity=100_000)
address = {"name": "Bench", "line1": "1 Load Street", "city": "Lagos", "state": "Lagos",
           "country": "NG", "phone": "+234 800 000 0000"}
orders = []
for n in range(count):
    placed = order_place(customer=user, idempotency_key=f"pay-{n}", shipping_address=address,
                         items=[{"variant_id": variants[n % len(variants)], "quantity": 1}])
    view = placed.view
    amount = int(view.total * 100)
    reference = f"FS-BENCH-{n}-{secrets.token_hex(4)}"
    # A pending attempt as payment_start leaves it (without calling the sandbox N times).
    Payment.objects.create(order_id=view.id, provider="paystack", reference=reference,
                           amount=amount, currency=view.currency)
    orders.append({"id": view.id, "reference": reference, "amount": amount,
                   "currency": view.currency})
token = access_token(user_id=user.pk, version=user.token_version)[0]
print(json.dumps({"orders": orders, "token": token}))
"""


def _event(order: dict[str, Any], event_id: int, secret: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"event": "charge.success", "data": {
        "id": event_id, "status": "success", "reference": order["reference"],
        "amount": order["amount"], "currency": order["currency"]}}).encode()  # fmt: skip
    signature = hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()
    return body, {"x-paystack-signature": signature}


async def _ingest(base: str, orders: list[dict[str, Any]], secret: str) -> tuple[Result, int]:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0, "last_order": orders[0]["id"]}
    next_id = iter(range(10_000_000, 99_000_000))

    async def sender(n: int, until: float) -> None:
        connection = _Connection(host, int(port))
        try:
            while time.monotonic() < until:
                event_id = next(next_id)
                body, headers = _event(orders[event_id % len(orders)], event_id, secret)
                started = time.perf_counter()
                try:
                    status, _ = await connection.request("POST", PATH, body, headers)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    await connection.close()
                    status = 0
                if status == 200:
                    counts["ok"] += 1
                    counts["last_order"] = orders[event_id % len(orders)]["id"]
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    counts["errors"] += 1
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            await connection.close()

    statuses: dict[int, int] = {}
    started = time.monotonic()
    await asyncio.gather(*(sender(n, started + DURATION) for n in range(CONCURRENCY)))
    if statuses:
        print(f"  webhook answers other than 200: {statuses}", flush=True)
    result = Result("webhook ingestion (200 accepted)", counts["ok"], counts["errors"],
                    time.monotonic() - started, latencies)  # fmt: skip
    return result, counts["last_order"]


async def _status(connection: _Connection, order_id: int, token: str) -> str:
    status, payload = await connection.request(
        "GET", f"/api/v1/orders/{order_id}", headers={"Authorization": f"Bearer {token}"}
    )
    return json.loads(payload)["status"] if status == 200 else f"http {status}"


async def _until_paid(connection: _Connection, order_id: int, token: str, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await _status(connection, order_id, token) == "paid":
            return True
        await asyncio.sleep(POLL)
    return False


async def _paid_latency(base: str, orders: list[dict[str, Any]], token: str, secret: str,
                        backlog_order: int) -> tuple[Result, float]:  # fmt: skip
    host, port = base.removeprefix("http://").split(":")
    connection = _Connection(host, int(port))
    drained_from = time.monotonic()
    # The order of the last event accepted: paid once the backlog before it drained.
    await _until_paid(connection, backlog_order, token, 180)
    drained = time.monotonic() - drained_from
    latencies: list[float] = []
    errors = 0
    started = time.monotonic()
    try:
        for n, order in enumerate(orders):
            body, headers = _event(order, 5_000_000 + n, secret)
            sent = time.perf_counter()
            status, _ = await connection.request("POST", PATH, body, headers)
            if status != 200 or not await _until_paid(connection, order["id"], token, 60):
                errors += 1
                continue
            latencies.append((time.perf_counter() - sent) * 1000)
    finally:
        await connection.close()
    return Result("webhook -> order paid (one at a time)", len(latencies), errors,
                  time.monotonic() - started, latencies), drained  # fmt: skip


def main() -> int:
    from deploy.localstack.stack import AppStack, Ports

    secret = f"sk_test_bench_{secrets.token_hex(16)}"
    with seeded_database(PRODUCTS) as (env, run_dir):
        env = {**env, "PAYSTACK_SECRET_KEY": secret}
        prepared = _django(_PREPARE, env, str(ORDERS + LATENCY_ORDERS))
        orders, token = prepared["orders"], prepared["token"]
        ingest_orders, latency_orders = orders[:ORDERS], orders[ORDERS:]
        stack = AppStack(ports=Ports.free(), env=env, run_dir=run_dir, log_dir=run_dir / "logs")
        stack.start()
        try:
            base = stack.ports.base_url
            raw = asyncio.run(_load(base, "raw baseline", lambda rng: INGRESS_ONLY,
                                    CONCURRENCY, DURATION))  # fmt: skip
            print("  webhook ingestion...", flush=True)
            ingest, last_order = asyncio.run(_ingest(base, ingest_orders, secret))
            print("  webhook -> paid...", flush=True)
            paid, drained = asyncio.run(_paid_latency(base, latency_orders, token, secret,
                                                      last_order))  # fmt: skip
        finally:
            stack.stop()
    _report(raw, ingest, paid, drained)
    return 0 if paid.errors == 0 and ingest.errors == 0 else 1


def _report(raw: Result, ingest: Result, paid: Result, drained: float) -> None:
    print(f"\nPayment webhooks through the ingress: {CONCURRENCY} connections, {DURATION:g}s, "
          f"{ORDERS} pending attempts, one worker, 2 cores shared")  # fmt: skip
    print("| scenario | per second | % of raw | p50 | p95 | p99 | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in (raw, ingest, paid):
        print(
            f"| {r.name} | {r.rps:,.1f} | {100 * r.rps / raw.rps:.2f}% | {r.pct(0.5):.0f} ms | "
            f"{r.pct(0.95):.0f} ms | {r.pct(0.99):.0f} ms | {r.errors} |"
        )
    print(
        f"Waited {drained:.1f}s after the senders stopped for the last accepted event's "
        "order to show paid (the ingestion backlog may still be draining while phase 2 runs)."
    )


if __name__ == "__main__":
    sys.exit(main())
