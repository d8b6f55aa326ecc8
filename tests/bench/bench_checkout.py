"""Checkout benchmark through the ingress, on 10,000 seeded products.

    python -m deploy.localstack exec -- python -m tests.bench.bench_checkout   # make bench-checkout

Boots the stack as `make run` does, then CONCURRENCY signed-in customers (one
connection each) place orders with `POST /api/v2/orders` (1 to 3 random lines of one
unit from HOT_VARIANTS variants that have HOT_STOCK units each, so stock runs short
and 409 out_of_stock answers are part of the run) for DURATION seconds. Reported:
orders/s, latency percentiles, 409s and errors; afterwards the database is checked
for oversells (units held by orders versus units on hand, per variant, and every
variant's reserved counter against its reservation rows).

Then the order detail: `GET /api/v2/orders/{id}` through the ingress, and in-process
the same three reads (order with vendor orders, items, shipments) run one after
another and concurrently on separate connections (`run_db` + `asyncio.gather`), each
with DETAIL_DELAY seconds of simulated network latency per read, to show the
endpoint's latency tracks the slowest read rather than the sum.

The raw baseline, measured in the same run, is the ingress answering by itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from tests.bench.bench_catalog import (
    INGRESS_ONLY,
    Result,
    _Connection,
    _load,
    seeded_database,
)

REPO = Path(__file__).resolve().parents[2]
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
HOT_VARIANTS = int(os.environ.get("BENCH_HOT_VARIANTS", "400"))
HOT_STOCK = int(os.environ.get("BENCH_HOT_STOCK", "40"))
DETAIL_DELAY = float(os.environ.get("BENCH_DETAIL_DELAY", "0.02"))
# uvicorn processes of v2: one per core, as a v2 pod per core would run in production.
ASYNC_WORKERS = int(os.environ.get("BENCH_ASYNC_WORKERS", "2"))
ADDRESS = {"name": "Bench Buyer", "line1": "1 Load Street", "city": "Lagos", "state": "Lagos",
           "country": "NG", "phone": "+234 800 000 0000"}  # fmt: skip

_PREPARE = """
import json, sys
import django
django.setup()
from shared_domain.accounts import services as accounts
from shared_domain.accounts.roles import Role
from shared_domain.accounts.tokens import access_token
from shared_domain.catalog.selectors import variant_ids_on_sale
from shared_domain.inventory.services import stock_set
customers, hot = int(sys.argv[1]), int(sys.argv[2])
hashed = accounts.password_hash("Bench-Pass-2026!")
tokens = []
for n in range(customers):
    user = accounts.account_provision(email=f"bench{n}@bench.example", password_hash=hashed,
                                      role=Role.CUSTOMER, full_name=f"Bench {n}")
    tokens.append(access_token(user_id=user.pk, version=user.token_version)[0])
variants = variant_ids_on_sale(currency="NGN", limit=hot)
for variant_id in variants:
    stock_set(variant_id=variant_id, quantity=int(sys.argv[3]))
print(json.dumps({"tokens": tokens, "variants": variants}))
"""

_AUDIT = """
import json
import django
django.setup()
from django.db import connection
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM inventory_stock WHERE allocated + reserved > quantity")
    over = c.fetchone()[0]
    c.execute(
        "SELECT count(*) FROM inventory_stock s LEFT JOIN (SELECT variant_id, sum(quantity) q "
        "FROM inventory_reservation WHERE status = 'active' GROUP BY variant_id) r "
        "ON r.variant_id = s.variant_id WHERE s.reserved <> coalesce(r.q, 0)"
    )
    drift = c.fetchone()[0]
    c.execute("SELECT count(*) FROM orders_order")
    orders = c.fetchone()[0]
    c.execute("SELECT coalesce(sum(quantity), 0) FROM orders_orderitem")
    units = c.fetchone()[0]
    c.execute("SELECT coalesce(sum(reserved), 0) FROM inventory_stock")
    reserved = c.fetchone()[0]
    # The confirmation emails (database task backend): sent, or still queued when the
    # stack stopped (the worker shares the two cores with the APIs).
    c.execute("SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
              "WHERE task_path LIKE %s GROUP BY status", ["%deliver_order_confirmation"])
    emails = dict(c.fetchall())
print(json.dumps({"oversold_variants": over, "reserved_drift": drift, "orders": orders,
                  "units_ordered": units, "units_reserved": reserved, "emails": emails}))
"""

_DETAIL = """
import asyncio, json, sys, time
import django
django.setup()
from shared_domain.accounts.selectors import user_get_by_email
from shared_domain.common.asyncdb import run_db
from shared_domain.orders import selectors
from django.db import connection

DELAY = float(sys.argv[1])
customer = user_get_by_email(email="bench0@bench.example")
order_id = selectors.order_page_for_customer(customer=customer, page_size=1).items[0].id

def slow(fn):
    def call(**kw):
        # What a managed database across the network adds to every read.
        time.sleep(DELAY)
        return fn(**kw)
    return call

header_of, items_of, shipments_of = (slow(selectors.order_header_for_customer),
    slow(selectors.order_items_of), slow(selectors.order_shipments_of))

def sequential():
    header = header_of(customer=customer, order_id=order_id)
    items = items_of(order_id=order_id)
    ships = shipments_of(vendor_order_ids=[p.pk for p in header.vendor_orders])
    return selectors.order_view_assemble(header=header, items=items, shipments=ships)

async def concurrent():
    header = await run_db(header_of, customer=customer, order_id=order_id)
    items, ships = await asyncio.gather(
        run_db(items_of, order_id=order_id),
        run_db(shipments_of, vendor_order_ids=[p.pk for p in header.vendor_orders]),
    )
    return selectors.order_view_assemble(header=header, items=items, shipments=ships)

def timed(fn, n=60):
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)

seq = timed(sequential)
conc = timed(lambda: asyncio.run(concurrent()))
connection.close()
print(json.dumps({"sequential": seq, "concurrent": conc}))
"""


def _django(code: str, env: dict[str, str], *args: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "sync_service.settings"},
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


async def _checkouts(base: str, tokens: list[str], variants: list[int]) -> tuple[Result, int]:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    counts = {"created": 0, "short": 0, "errors": 0}
    created_ids: list[int] = []

    async def customer(token: str, seed: int, record: bool, until: float) -> None:
        rng = random.Random(seed)
        connection = _Connection(host, int(port))
        headers = {"Authorization": f"Bearer {token}"}
        try:
            while time.monotonic() < until:
                lines = rng.sample(variants, rng.randint(1, 3))
                body = json.dumps(
                    {"shipping_address": ADDRESS,
                     "items": [{"variant_id": v, "quantity": 1} for v in lines]}
                ).encode()  # fmt: skip
                started = time.perf_counter()
                try:
                    status, payload = await connection.request(
                        "POST", "/api/v2/orders", body,
                        {**headers, "Idempotency-Key": str(uuid.uuid4())},
                    )  # fmt: skip
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    await connection.close()
                    status, payload = 0, b""
                elapsed = (time.perf_counter() - started) * 1000
                if not record:
                    continue
                if status == 201:
                    counts["created"] += 1
                    latencies.append(elapsed)
                    created_ids.append(json.loads(payload)["id"])
                elif status == 409 and b"out_of_stock" in payload:
                    counts["short"] += 1
                else:
                    counts["errors"] += 1
        finally:
            await connection.close()

    warm = time.monotonic() + WARMUP
    await asyncio.gather(*(customer(t, n, False, warm) for n, t in enumerate(tokens)))
    started = time.monotonic()
    end = started + DURATION
    await asyncio.gather(*(customer(t, 100 + n, True, end) for n, t in enumerate(tokens)))
    seconds = time.monotonic() - started
    result = Result("v2 checkout (201 orders)", counts["created"], counts["errors"], seconds,
                    latencies)  # fmt: skip
    return result, counts["short"]


async def _details(base: str, token: str) -> Result:
    # The orders of customer 0, newest first: detail of each, round robin.
    host, port = base.removeprefix("http://").split(":")
    connection = _Connection(host, int(port))
    status, payload = await connection.request(
        "GET", "/api/v2/orders?page_size=100", headers={"Authorization": f"Bearer {token}"}
    )
    await connection.close()
    ids = [item["id"] for item in json.loads(payload)["items"]] if status == 200 else [0]
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors = 0
    count = 0

    async def reader(n: int, until: float) -> None:
        nonlocal errors, count
        conn = _Connection(host, int(port))
        try:
            while time.monotonic() < until:
                started = time.perf_counter()
                status, _ = await conn.request("GET", f"/api/v2/orders/{ids[n % len(ids)]}",
                                               headers=headers)  # fmt: skip
                latencies.append((time.perf_counter() - started) * 1000)
                count += 1
                errors += status != 200
                n += 1
        finally:
            await conn.close()

    started = time.monotonic()
    await asyncio.gather(*(reader(n, started + DURATION / 2) for n in range(8)))
    return Result("v2 order detail (8 connections)", count, errors,
                  time.monotonic() - started, latencies)  # fmt: skip


def main() -> int:
    from deploy.localstack.stack import AppStack, Ports

    with seeded_database(PRODUCTS) as (env, run_dir):
        prepared = _django(_PREPARE, env, str(CONCURRENCY), str(HOT_VARIANTS), str(HOT_STOCK))
        stack = AppStack(ports=Ports.free(), env=env, run_dir=run_dir, log_dir=run_dir / "logs",
                         async_concurrency=ASYNC_WORKERS)  # fmt: skip
        stack.start()
        try:
            base = stack.ports.base_url
            raw = asyncio.run(_load(base, "raw baseline", lambda rng: INGRESS_ONLY,
                                    CONCURRENCY, DURATION))  # fmt: skip
            print("  checkout...", flush=True)
            checkout, short = asyncio.run(
                _checkouts(base, prepared["tokens"], prepared["variants"])
            )
            print("  order detail...", flush=True)
            detail = asyncio.run(_details(base, prepared["tokens"][0]))
        finally:
            stack.stop()
        audit = _django(_AUDIT, env)
        reads = _django(_DETAIL, env, str(DETAIL_DELAY))
    _report(raw, checkout, short, detail, audit, reads)
    return 0 if audit["oversold_variants"] == 0 and audit["reserved_drift"] == 0 else 1


def _report(raw: Result, checkout: Result, short: int, detail: Result, audit: dict[str, Any],
            reads: dict[str, list[float]]) -> None:  # fmt: skip
    print(f"\nCheckout through the ingress: {PRODUCTS} products, {CONCURRENCY} customers, "
          f"{DURATION:g}s, {HOT_VARIANTS} variants x {HOT_STOCK} units, {ASYNC_WORKERS} uvicorn "
          "worker(s), 2 cores shared")  # fmt: skip
    print("| scenario | per second | % of raw | p50 | p95 | p99 | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in (raw, checkout, detail):
        print(
            f"| {r.name} | {r.rps:,.1f} | {100 * r.rps / raw.rps:.2f}% | {r.pct(0.5):.0f} ms | "
            f"{r.pct(0.95):.0f} ms | {r.pct(0.99):.0f} ms | {r.errors} |"
        )
    print(f"409 out_of_stock answers: {short} ({short / checkout.seconds:.1f}/s)")
    print(
        f"After the run: {audit['orders']} orders holding {audit['units_ordered']} units; "
        f"{audit['units_reserved']} units reserved; variants oversold: "
        f"{audit['oversold_variants']}; reserved counters off their reservations: "
        f"{audit['reserved_drift']}"
    )
    emails = audit["emails"]
    print(
        f"Confirmation emails: {emails.get('SUCCESSFUL', 0)} sent, "
        f"{emails.get('READY', 0) + emails.get('RUNNING', 0)} still queued at shutdown, "
        f"{emails.get('FAILED', 0)} failed"
    )
    seq, conc = reads["sequential"], reads["concurrent"]
    print(
        f"Order detail reads in-process with {DETAIL_DELAY * 1000:.0f} ms per read: one after "
        f"another p50 {statistics.median(seq):.1f} ms, concurrently p50 "
        f"{statistics.median(conc):.1f} ms (ratio {statistics.median(seq) / statistics.median(conc):.2f}x)"
    )


if __name__ == "__main__":
    sys.exit(main())
