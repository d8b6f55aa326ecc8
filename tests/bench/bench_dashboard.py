"""Vendor dashboard benchmark through the ingress, on 10,000 products and 50,000+ orders.

    python -m deploy.localstack exec -- python -m tests.bench.bench_dashboard   # make bench-dashboard

Seeds the catalog as the catalog benchmark does, then writes ORDERS orders of those
products over the last 90 days straight into the tables with a few set-based SQL
statements (orders, vendor orders, items, the status history — placed, paid, some
shipped, delivered, cancelled or refunded — and the ledger's sales, commissions and
refunds), and runs `manage.py rebuild_rollups`, so the rollups come from the same path
as in production. Then the stack boots (as `make run`, with DASHBOARD_BENCH_PARAMS on)
and CONCURRENCY connections, each a vendor's, call `GET /api/v2/vendor/dashboard?period=90d`
for DURATION seconds per scenario: the endpoint as it is (six reads at the same time),
`?sequential=1` (the six one after another in one database call), and each read alone
(`?only=…`). Reported: requests/s and latency percentiles per scenario, and the ratio of
the concurrent endpoint to the slowest single read, written to
benchmarks/results/dashboard.md. The raw baseline of the same run is the ingress alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.bench_catalog import INGRESS_ONLY, RESULTS, Result, _Connection, _load
from tests.bench.bench_catalog import seeded_database as catalog_database
from tests.bench.bench_checkout import _django

REPO = Path(__file__).resolve().parents[2]
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "50000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
ASYNC_WORKERS = int(os.environ.get("BENCH_ASYNC_WORKERS", "2"))
READS = ("revenue", "orders_by_status", "top_products", "low_stock", "balance", "returns")
TARGET_P95_MS = 50.0
TARGET_RATIO = 1.3

# Set-based inserts: one statement per table whatever ORDERS is. Every order has one
# vendor order of 1-3 units of one variant; `fate` decides its history:
# < 0.08 cancelled unpaid, < 0.12 left unpaid, else paid (then 30% shipped, half of those
# delivered; 4% refunded in full).
_SEED = r"""
import json, sys, time
import django
django.setup()
from django.db import connection, transaction
from shared_domain.accounts import services as accounts
from shared_domain.accounts.roles import Role
from shared_domain.accounts.tokens import access_token

orders = int(sys.argv[1])
started = time.monotonic()
buyer = accounts.account_provision(
    email="dashboard-bench@bench.example", password_hash=accounts.password_hash("Bench-Pass-2026!"),
    role=Role.CUSTOMER, full_name="Bench Buyer")
SQL = [
    # The variants on sale in NGN, numbered, with their vendor and price.
    '''CREATE TEMP TABLE bv AS SELECT row_number() OVER (ORDER BY v.id) - 1 AS i, v.id,
       v.product_id, p.vendor_id, p.title, v.sku, v.size, v.colour,
       coalesce(v.price_override, p.base_price) AS price
       FROM catalog_productvariant v JOIN catalog_product p ON p.id = v.product_id
       WHERE p.status = 'active' AND p.currency = 'NGN' AND v.is_active''',
    '''CREATE TEMP TABLE bo AS SELECT g,
       'BD-' || lpad(g::text, 9, '0') AS number,
       floor(random() * (SELECT count(*) FROM bv))::int AS vi,
       1 + floor(random() * 3)::int AS qty,
       date_trunc('second', now() - random() * interval '89 days') AS ts,
       random() AS fate, random() AS later
       FROM generate_series(1, %(orders)s) g''',
    '''INSERT INTO orders_order (customer_id, number, status, currency, subtotal, total,
       shipping_address, expires_at, cancel_reason, placed_at, paid_at, updated_at)
       SELECT %(buyer)s, bo.number,
         CASE WHEN fate < 0.08 THEN 'cancelled' WHEN fate < 0.12 THEN 'pending_payment'
              WHEN fate > 0.96 THEN 'refunded' ELSE 'paid' END,
         'NGN', bv.price * qty, bv.price * qty, '{}'::jsonb, ts + interval '30 minutes',
         CASE WHEN fate < 0.08 THEN 'customer' ELSE '' END, ts,
         CASE WHEN fate >= 0.12 THEN ts + interval '2 minutes' END, ts
       FROM bo JOIN bv ON bv.i = bo.vi''',
    '''CREATE TEMP TABLE bmap AS SELECT bo.*, o.id AS order_id FROM bo
       JOIN orders_order o ON o.number = bo.number''',
    '''INSERT INTO orders_vendororder (order_id, vendor_id, status, subtotal, commission_rate,
       commission_amount, vendor_payout, updated_at)
       SELECT m.order_id, bv.vendor_id, o.status, o.subtotal, 0.10,
         round(o.subtotal * 0.10, 2), o.subtotal - round(o.subtotal * 0.10, 2), m.ts
       FROM bmap m JOIN bv ON bv.i = m.vi JOIN orders_order o ON o.id = m.order_id''',
    '''CREATE TEMP TABLE bvo AS SELECT m.*, vo.id AS vo_id, vo.vendor_id, vo.subtotal,
       vo.commission_amount FROM bmap m JOIN orders_vendororder vo ON vo.order_id = m.order_id''',
    '''INSERT INTO orders_orderitem (order_id, vendor_order_id, variant_id, product_id, title,
       sku, size, colour, unit_price, currency, quantity, line_total)
       SELECT x.order_id, x.vo_id, bv.id, bv.product_id, bv.title, bv.sku, bv.size, bv.colour,
         bv.price, 'NGN', x.qty, bv.price * x.qty FROM bvo x JOIN bv ON bv.i = x.vi''',
    # History: the order's placement, then the vendor order's transitions.
    '''INSERT INTO orders_orderstatuschange (order_id, vendor_order_id, from_status, to_status,
       reason, created_at)
       SELECT order_id, NULL, '', 'pending_payment', '', ts FROM bvo
       UNION ALL SELECT order_id, vo_id, 'pending_payment', 'cancelled', 'customer',
         ts + interval '5 minutes' FROM bvo WHERE fate < 0.08
       UNION ALL SELECT order_id, vo_id, 'pending_payment', 'paid', '',
         ts + interval '2 minutes' FROM bvo WHERE fate >= 0.12
       UNION ALL SELECT order_id, vo_id, 'paid', 'shipped', '',
         ts + interval '1 day' FROM bvo WHERE fate >= 0.12 AND fate <= 0.96 AND later < 0.3
           AND ts + interval '1 day' < now()
       UNION ALL SELECT order_id, vo_id, 'shipped', 'delivered', '',
         ts + interval '3 days' FROM bvo WHERE fate >= 0.12 AND fate <= 0.96 AND later < 0.15
           AND ts + interval '3 days' < now()
       UNION ALL SELECT order_id, vo_id, 'paid', 'refunded', '',
         ts + interval '1 hour' FROM bvo WHERE fate > 0.96''',
    # The ledger in kobo: sale and commission at payment, refund and commission back.
    '''INSERT INTO payments_ledgerentry (vendor_id, vendor_order_id, kind, amount, currency,
       entry_key, memo, created_at)
       SELECT vendor_id, vo_id, 'sale', (subtotal * 100)::bigint, 'NGN',
         'bench-sale-' || vo_id, '', ts + interval '2 minutes' FROM bvo WHERE fate >= 0.12
       UNION ALL SELECT vendor_id, vo_id, 'commission', -(commission_amount * 100)::bigint,
         'NGN', 'bench-commission-' || vo_id, '', ts + interval '2 minutes'
         FROM bvo WHERE fate >= 0.12
       UNION ALL SELECT vendor_id, vo_id, 'refund', -(subtotal * 100)::bigint, 'NGN',
         'bench-refund-' || vo_id, '', ts + interval '1 hour' FROM bvo WHERE fate > 0.96
       UNION ALL SELECT vendor_id, vo_id, 'commission_reversal',
         (commission_amount * 100)::bigint, 'NGN', 'bench-reversal-' || vo_id, '',
         ts + interval '1 hour' FROM bvo WHERE fate > 0.96''',
]
with transaction.atomic(), connection.cursor() as cursor:
    for statement in SQL:
        cursor.execute(statement, {"orders": orders, "buyer": buyer.pk})
    cursor.execute("SELECT count(*) FROM orders_order")
    total = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM orders_orderstatuschange")
    history = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM payments_ledgerentry")
    ledger = cursor.fetchone()[0]
    # The vendors with the most orders, and their owners' tokens.
    cursor.execute(
        "SELECT p.user_id FROM orders_vendororder vo JOIN accounts_vendorprofile p "
        "ON p.id = vo.vendor_id GROUP BY p.user_id ORDER BY count(*) DESC LIMIT %s",
        [int(sys.argv[2])],
    )
    owners = [row[0] for row in cursor.fetchall()]
from shared_domain.accounts.models import User
tokens = [access_token(user_id=u.pk, version=u.token_version)[0]
          for u in User.objects.filter(pk__in=owners)]
print(json.dumps({"orders": total, "history": history, "ledger": ledger, "tokens": tokens,
                  "seconds": time.monotonic() - started}))
"""


async def _dashboards(
    base: str, name: str, tokens: list[str], query: str, concurrency: int, duration: float
) -> Result:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    path = f"/api/v2/vendor/dashboard?period=90d{query}"

    async def vendor(token: str, record: bool, until: float) -> None:
        connection = _Connection(host, int(port))
        headers = {"Authorization": f"Bearer {token}"}
        try:
            while time.monotonic() < until:
                started = time.perf_counter()
                try:
                    status, _ = await connection.request("GET", path, headers=headers)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    await connection.close()
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                if record:
                    counts["ok" if status == 200 else "errors"] += 1
                    latencies.append(elapsed)
        finally:
            await connection.close()

    connections = [tokens[n % len(tokens)] for n in range(concurrency)]
    warm = time.monotonic() + WARMUP
    await asyncio.gather(*(vendor(t, False, warm) for t in connections))
    started = time.monotonic()
    end = started + duration
    await asyncio.gather(*(vendor(t, True, end) for t in connections))
    return Result(name, counts["ok"], counts["errors"], time.monotonic() - started, latencies)


def main() -> int:
    from deploy.localstack.stack import AppStack, Ports, manage

    with catalog_database(PRODUCTS) as (env, run_dir):
        seeded = _django(_SEED, env, str(ORDERS), str(CONCURRENCY))
        print(f"seeded {seeded['orders']} orders, {seeded['history']} history rows, "
              f"{seeded['ledger']} ledger entries in {seeded['seconds']:.0f}s", flush=True)  # fmt: skip
        started = time.monotonic()
        manage(["rebuild_rollups", "-v", "0"], env=env)
        rebuild = time.monotonic() - started
        print(f"rebuild_rollups: {rebuild:.0f}s", flush=True)
        stack_env = {**env, "DASHBOARD_BENCH_PARAMS": "true"}
        stack = AppStack(ports=Ports.free(), env=stack_env, run_dir=run_dir,
                         log_dir=run_dir / "logs", async_concurrency=ASYNC_WORKERS)  # fmt: skip
        stack.start()
        try:
            base = stack.ports.base_url
            results = [asyncio.run(_load(base, "ingress only", lambda rng: INGRESS_ONLY,
                                         CONCURRENCY, DURATION))]  # fmt: skip
            scenarios = [("dashboard (six reads at once)", ""),
                         ("dashboard, sequential reads", "&sequential=1"),
                         *((f"{read} alone", f"&only={read}") for read in READS)]  # fmt: skip
            for name, query in scenarios:
                print(f"  {name}...", flush=True)
                results.append(asyncio.run(_dashboards(
                    base, name, seeded["tokens"], query, CONCURRENCY, DURATION)))  # fmt: skip
            # One connection: latency without queueing, where overlapping the reads shows.
            for name, query in scenarios:
                print(f"  {name}, 1 connection...", flush=True)
                results.append(asyncio.run(_dashboards(
                    base, name, seeded["tokens"], query, 1, DURATION / 2)))  # fmt: skip
        finally:
            stack.stop()
    _report(results, seeded, rebuild)
    return 0


def _ratios(results: list[Result], label: str) -> list[str]:
    concurrent, sequential, *singles = results
    slowest = max(singles, key=lambda r: r.pct(0.95))
    ratio50 = concurrent.pct(0.5) / max(slowest.pct(0.5), 1e-9)
    ratio95 = concurrent.pct(0.95) / max(slowest.pct(0.95), 1e-9)
    seq_ratio = sequential.pct(0.5) / max(concurrent.pct(0.5), 1e-9)
    return [
        f"- {label}: concurrent / slowest single read ({slowest.name}): p50 {ratio50:.2f}x, "
        f"p95 {ratio95:.2f}x (target ≤ {TARGET_RATIO}x: "
        f"{'met' if ratio95 <= TARGET_RATIO else 'not met'}); sequential / concurrent p50 "
        f"{seq_ratio:.2f}x; dashboard p95 {concurrent.pct(0.95):.0f} ms (target < "
        f"{TARGET_P95_MS:.0f} ms: {'met' if concurrent.pct(0.95) < TARGET_P95_MS else 'not met'})",
    ]


def _table(results: list[Result]) -> list[str]:
    return [
        "| scenario | requests/s | p50 | p95 | p99 | errors |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r.name} | {r.rps:,.0f} | {r.pct(0.5):.0f} ms | {r.pct(0.95):.0f} ms | "
            f"{r.pct(0.99):.0f} ms | {r.errors} |"
            for r in results
        ),
    ]


def _report(results: list[Result], seeded: dict[str, Any], rebuild: float) -> None:
    raw, rest = results[0], results[1:]
    loaded, single = rest[: len(rest) // 2], rest[len(rest) // 2 :]
    lines = [
        f"Vendor dashboard through the ingress: {PRODUCTS} products, {seeded['orders']} orders "
        f"over 90 days ({seeded['history']} history rows, {seeded['ledger']} ledger entries; "
        f"rollups rebuilt in {rebuild:.0f} s), `period=90d`, {ASYNC_WORKERS} uvicorn processes, "
        f"2 cores shared by servers, database and client "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"{CONCURRENCY} connections as {len(seeded['tokens'])} vendors, {DURATION:g} s per "
        f"scenario (ingress alone: {raw.rps:,.0f} requests/s, p95 {raw.pct(0.95):.0f} ms):",
        "",
        *_table(loaded),
        "",
        f"1 connection, {DURATION / 2:g} s per scenario:",
        "",
        *_table(single),
        "",
        *_ratios(loaded, f"{CONCURRENCY} connections"),
        *_ratios(single, "1 connection"),
    ]
    text = "\n".join(lines)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dashboard.md").write_text(text + "\n")


if __name__ == "__main__":
    random.seed(7)
    sys.exit(main())
