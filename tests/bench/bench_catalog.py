"""Catalog benchmark through the ingress, on 10,000 seeded products.

    python -m deploy.localstack exec -- python -m tests.bench.bench_catalog   # make bench-catalog

Boots the stack as `make run` does (gunicorn 2 workers x 4 threads, uvicorn 2
workers, Caddy), then for each scenario keeps CONCURRENCY connections busy for
DURATION seconds and reports requests/s and latency percentiles. Two baselines are
measured in the same run: the ingress answering by itself (Caddy's 404 for a path no
service owns), the ceiling of this machine's HTTP path; and a raw ASGI app
(tests/bench/raw_detail.py: psycopg AsyncConnectionPool, no framework) doing the reads
of product detail, served by uvicorn with as many processes as v2 through the same
Caddy. The browsing mix is what a shopper's session asks for: search 30 %, product
detail 50 %, a category's products 10 % (v2), the v1 list 10 %. Rate limiting is off
and logs are at WARNING, so the numbers are the application's. The table and a chart
are written to benchmarks/results/ (catalog.md, catalog.png).
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
# A path no API serves: the ingress answers it alone (the baseline of every bench).
INGRESS_ONLY = "/__ingress_only__"
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
DURATION = float(os.environ.get("BENCH_DURATION", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
TERMS = ["ankara", "ankara dress", "aso-oke", "agbada", "lace gown", "denim", "silk blouse",
         "kaftan", "maxi", "senator", "ank", "linen shirt", "velvet", "kente"]  # fmt: skip
SIZES = ["M", "L", "S", "XL"]
# Processes per API (and for the raw baseline): the same for all, as `make run` does.
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "2"))
RESULTS = REPO / "benchmarks" / "results"


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
                    # The ingress answering alone: its 404 is the answer being timed.
                    ok = status < 400 or path == INGRESS_ONLY
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
    from deploy.localstack.procs import ManagedProcess, free_port
    from deploy.localstack.stack import CADDYFILE, AppStack, Ports

    with seeded_database(PRODUCTS) as (env, run_dir):
        _print_plan(env)
        ids, categories = _product_ids(env), _category_slugs(env)
        raw_port = free_port()
        raw = ManagedProcess(
            "raw baseline (uvicorn)",
            [sys.executable, "-m", "uvicorn", "tests.bench.raw_detail:app",
             "--host", "127.0.0.1", "--port", str(raw_port), "--workers", str(PROCESSES),
             "--no-access-log", "--log-level", "warning", "--lifespan", "off"],
            env=env,
            health_url=f"http://127.0.0.1:{raw_port}/bench/raw/healthz",
            log_path=run_dir / "logs" / "raw.log",
            cwd=REPO,
        )  # fmt: skip
        stack = AppStack(
            ports=Ports.free(),
            env={**env, "RAW_UPSTREAM": f"127.0.0.1:{raw_port}"},
            run_dir=run_dir,
            log_dir=run_dir / "logs",
            web_concurrency=PROCESSES,
            async_concurrency=PROCESSES,
            caddyfile=_caddyfile_with_raw(CADDYFILE, run_dir),
        )
        raw.start()
        try:
            raw.wait_healthy(60)
            stack.start()
            try:
                results = asyncio.run(_scenarios(stack.ports.base_url, ids, categories))
            finally:
                stack.stop()
        finally:
            raw.stop(10)
    _report(results)
    return 0


def _caddyfile_with_raw(caddyfile: Path, run_dir: Path) -> Path:
    """The ingress's Caddyfile plus one route, /bench/raw/*, to the raw baseline."""
    text = caddyfile.read_text()
    fallback = "\thandle {\n"
    assert fallback in text, "the Caddyfile has no fallback handle"
    route = "\thandle /bench/raw/* {\n\t\treverse_proxy {$RAW_UPSTREAM}\n\t}\n\n"
    out = run_dir / "Caddyfile"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.replace(fallback, route + fallback, 1))
    return out


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


def _category_slugs(env: dict[str, str]) -> list[str]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return [row[0] for row in conn.execute("SELECT slug FROM catalog_category")]


async def _scenarios(base: str, ids: list[int], categories: list[str]) -> list[Result]:
    def term(rng: random.Random) -> str:
        return rng.choice(TERMS).replace(" ", "+")

    def v1_list(rng: random.Random) -> str:
        return f"/api/v1/products?size={rng.choice(SIZES)}&in_stock=true"

    def v2_search(rng: random.Random) -> str:
        return f"/api/v2/products/search?q={term(rng)}&limit=20"

    def v2_detail(rng: random.Random) -> str:
        return f"/api/v2/products/{rng.choice(ids)}"

    def v2_category(rng: random.Random) -> str:
        return f"/api/v2/products/search?category={rng.choice(categories)}&limit=20"

    def browsing(rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.3:
            return v2_search(rng)
        if roll < 0.8:
            return v2_detail(rng)
        return v2_category(rng) if roll < 0.9 else v1_list(rng)

    scenarios = [
        ("ingress only", lambda rng: INGRESS_ONLY),
        ("v1 health", lambda rng: "/api/v1/healthz"),
        ("v2 health", lambda rng: "/api/v2/healthz"),
        ("v1 list", v1_list),
        ("v1 search", lambda rng: f"/api/v1/products?search={term(rng)}"),
        ("v2 search", v2_search),
        ("v1 product detail", lambda rng: f"/api/v1/products/{rng.choice(ids)}"),
        ("v2 product detail", v2_detail),
        ("raw product detail", lambda rng: f"/bench/raw/products/{rng.choice(ids)}"),
        ("browsing mix", browsing),
    ]
    results = []
    for name, make_path in scenarios:
        print(f"  {name}...", flush=True)
        results.append(await _load(base, name, make_path, CONCURRENCY, DURATION))
    return results


def _report(results: list[Result]) -> None:
    by_name = {r.name: r for r in results}
    raw = results[0].rps
    lines = [
        f"Catalog through the ingress: {PRODUCTS} products, {CONCURRENCY} connections, "
        f"{DURATION:g}s per scenario, {PROCESSES} processes per API, 2 cores shared by "
        f"servers, database and client ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        "| scenario | requests/s | % of ingress | p50 | p95 | p99 | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | {r.rps:,.0f} | {100 * r.rps / raw:.2f}% | {r.pct(0.5):.0f} ms | "
        f"{r.pct(0.95):.0f} ms | {r.pct(0.99):.0f} ms | {r.errors} |"
        for r in results
    ]
    lines.append("")
    for label, num, den in (
        ("v2 / v1 product detail", "v2 product detail", "v1 product detail"),
        ("v2 / v1 search", "v2 search", "v1 search"),
        ("v2 / raw product detail", "v2 product detail", "raw product detail"),
    ):
        if by_name[den].rps:
            lines.append(f"- {label}: {by_name[num].rps / by_name[den].rps:.2f}x")
    if any(r.errors for r in results[1:]):
        lines.append("\n(errors: responses with status >= 400 or transport failures)")
    table = "\n".join(lines)
    print("\n" + table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "catalog.md").write_text(table + "\n")
    _chart(results, RESULTS / "catalog.png")
    print(f"\nwritten: {RESULTS / 'catalog.md'}, {RESULTS / 'catalog.png'}")


def _chart(results: list[Result], path: Path) -> None:
    """Requests/s per scenario (bars, coloured by who serves it) with p95 on each bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"v1": "#4c72b0", "v2": "#dd8452", "raw": "#55a868"}
    shown = [r for r in results if r.name != "ingress only"]
    figure, axes = plt.subplots(figsize=(10, 4.8))
    bars = axes.bar(
        [r.name for r in shown],
        [r.rps for r in shown],
        color=[colours.get(r.name.split()[0], "#8c8c8c") for r in shown],
    )
    for bar, r in zip(bars, shown, strict=True):
        axes.annotate(
            f"p95 {r.pct(0.95):.0f} ms",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center", va="bottom", fontsize=8,
        )  # fmt: skip
    axes.set_ylabel("requests/s")
    axes.set_title(
        f"Catalog via the ingress: {PRODUCTS} products, {CONCURRENCY} connections, "
        f"{PROCESSES} processes per API (ingress alone: {results[0].rps:,.0f}/s)"
    )
    plt.setp(axes.get_xticklabels(), rotation=25, ha="right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
