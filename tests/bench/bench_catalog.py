"""Catalog benchmark through the ingress, on 10,000 seeded products.

    python -m deploy.localstack exec -- python -m tests.bench.bench_catalog   # make bench-catalog

Boots the stack as `make run` does (gunicorn 2 workers x 4 threads, uvicorn 1 worker,
Caddy), then for each scenario keeps CONCURRENCY connections busy for DURATION
seconds and reports requests/s and latency percentiles. The raw baseline, measured in
the same run, is the ingress answering by itself (Caddy's 404 for a path no service
owns): the ceiling of this machine's HTTP path without any application work. Rate
limiting is off and logs are at WARNING, so the numbers are the application's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
TERMS = ["ankara", "ankara dress", "aso-oke", "agbada", "lace gown", "denim", "silk blouse",
         "kaftan", "maxi", "senator", "ank", "linen shirt", "velvet", "kente"]  # fmt: skip
SIZES = ["M", "L", "S", "XL"]


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class _Connection:
    """A minimal HTTP/1.1 keep-alive client: GET or POST, Content-Length or chunked
    bodies. Far lighter than a general client, so the load generator takes as little
    of the machine's two cores as possible from the servers it measures."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        status, _ = await self.request("GET", path)
        return status

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        if body:
            extra += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Accept: application/json\r\n{extra}\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers_text = head.decode("latin-1").lower()
        payload = b""
        if "transfer-encoding: chunked" in headers_text:
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                payload += (await self.reader.readexactly(size + 2))[:-2]
                if size == 0:
                    break
        else:
            marker = headers_text.find("content-length:")
            end = headers_text.find("\r\n", marker)
            length = int(headers_text[marker + 15 : end]) if marker >= 0 else 0
            payload = await self.reader.readexactly(length)
        if "connection: close" in headers_text:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _load(base: str, name: str, make_path: Any, concurrency: int, duration: float) -> Result:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    count = 0
    rng = random.Random(7)

    async def worker(record: bool, until: float) -> None:
        nonlocal errors, count
        connection = _Connection(host, int(port))
        try:
            while time.monotonic() < until:
                path = make_path(rng)
                started = time.perf_counter()
                try:
                    status = await connection.get(path)
                    ok = status < 400 or name == "raw baseline"
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    await connection.close()
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                if record:
                    count += 1
                    latencies.append(elapsed)
                    errors += 0 if ok else 1
        finally:
            await connection.close()

    warm_until = time.monotonic() + WARMUP
    await asyncio.gather(*(worker(False, warm_until) for _ in range(concurrency)))
    started = time.monotonic()
    await asyncio.gather(*(worker(True, started + duration) for _ in range(concurrency)))
    return Result(name, count, errors, time.monotonic() - started, latencies)


@contextlib.contextmanager
def seeded_database(products: int) -> Iterator[tuple[dict[str, str], Path]]:
    """A fresh database with `products` demo products (50 vendors): the environment of
    a stack on it, and a run directory for the stack. Dropped afterwards."""
    sys.path.insert(0, str(REPO))
    from deploy.localstack.backing import database_url_for, drop_database, ensure_database
    from deploy.localstack.stack import manage

    base_url = os.environ["DATABASE_URL"]
    name = f"fashionistar_bench_{uuid.uuid4().hex[:8]}"
    admin = database_url_for(base_url, "postgres")
    ensure_database(admin, name)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url_for(base_url, name),
        "THROTTLE_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "MAIL_BACKEND": "locmem",
        "APP_ENV": "development",
    }
    try:
        manage(["migrate", "--noinput", "-v", "0"], env=env)
        started = time.monotonic()
        manage(["seed_demo", "--vendors", "50", "--products", str(products), "-v", "0"], env=env)
        print(f"\nseeded {products} products in {time.monotonic() - started:.0f}s", flush=True)
        yield env, REPO / ".data" / "bench" / name
    finally:
        drop_database(admin, name)


def main() -> int:
    from deploy.localstack.stack import AppStack, Ports

    with seeded_database(PRODUCTS) as (env, run_dir):
        _print_plan(env)
        ids = _product_ids(env)
        stack = AppStack(ports=Ports.free(), env=env, run_dir=run_dir, log_dir=run_dir / "logs")
        stack.start()
        try:
            results = asyncio.run(_scenarios(stack.ports.base_url, ids))
        finally:
            stack.stop()
    _report(results)
    return 0


def _print_plan(env: dict[str, str]) -> None:
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "from shared_domain.catalog.params import SearchParams;"
        "from shared_domain.catalog.selectors.search import search_filtered, search_resolve;"
        "connection.cursor().execute('ANALYZE');"
        "print(search_filtered(search_resolve(SearchParams(q='ankara dress'))).explain())"
    )
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "sync_service.settings"},
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    print("EXPLAIN of the main search query (q='ankara dress'):")
    print("\n".join(f"    {line}" for line in out.stdout.strip().splitlines()), flush=True)


def _product_ids(env: dict[str, str]) -> list[int]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return [
            row[0]
            for row in conn.execute("SELECT id FROM catalog_product WHERE status = 'active'")
        ]


async def _scenarios(base: str, ids: list[int]) -> list[Result]:
    def term(rng: random.Random) -> str:
        return rng.choice(TERMS).replace(" ", "+")

    scenarios = [
        ("raw baseline", lambda rng: "/__ingress_only__"),
        ("v1 health", lambda rng: "/api/v1/healthz"),
        ("v2 health", lambda rng: "/api/v2/healthz"),
        ("v1 list", lambda rng: f"/api/v1/products?size={rng.choice(SIZES)}&in_stock=true"),
        ("v1 search", lambda rng: f"/api/v1/products?search={term(rng)}"),
        ("v2 search", lambda rng: f"/api/v2/products/search?q={term(rng)}&limit=20"),
        ("v2 product detail", lambda rng: f"/api/v2/products/{rng.choice(ids)}"),
    ]
    results = []
    for name, make_path in scenarios:
        print(f"  {name}...", flush=True)
        results.append(await _load(base, name, make_path, CONCURRENCY, DURATION))
    return results


def _report(results: list[Result]) -> None:
    raw = results[0].rps
    print(f"\nCatalog through the ingress: {PRODUCTS} products, {CONCURRENCY} connections, "
          f"{DURATION:g}s per scenario, 2 cores shared by servers, database and client")  # fmt: skip
    print("| scenario | requests/s | % of raw | p50 | p95 | p99 | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.name} | {r.rps:,.0f} | {100 * r.rps / raw:.2f}% | {r.pct(0.5):.0f} ms | "
            f"{r.pct(0.95):.0f} ms | {r.pct(0.99):.0f} ms | {r.errors} |"
        )
    if any(r.errors for r in results[1:]):
        print("(errors: responses with status >= 400 or transport failures)")


if __name__ == "__main__":
    sys.exit(main())
