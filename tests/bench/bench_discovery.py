"""Discovery benchmark through the ingress: similar products and hybrid search.

    python -m deploy.localstack exec -- python -m tests.bench.bench_discovery   # make bench-discovery

Seeds BENCH_DISCOVERY_PRODUCTS demo products (2,000 by default: every one needs its
embedding, computed on this machine's CPU first), computes their embeddings with
`manage.py backfill_embeddings` — the worker's code and model (one ONNX Runtime
thread, batches of 64) — and reports its throughput in texts/s. Then it boots the
stack as `make run` does and, like bench_catalog, keeps 32 connections busy through
the ingress for each scenario: the ingress alone (the ceiling of this machine's HTTP
path), v2 full-text search, v2 hybrid search (the same paraphrase queries; each
query's embedding is computed once per API process and then cached, so this measures
the cached path; the answers' `mode_used` are counted), and v2 similar products of
random products. Writes benchmarks/results/discovery.md.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.bench_catalog import (
    CONCURRENCY,
    DURATION,
    INGRESS_ONLY,
    PROCESSES,
    WARMUP,
    Result,
    _Connection,
    _load,
    _product_ids,
    seeded_database,
)

REPO = Path(__file__).resolve().parents[2]
PRODUCTS = int(os.environ.get("BENCH_DISCOVERY_PRODUCTS", "2000"))
RESULTS = REPO / "benchmarks" / "results"
PARAPHRASES = ["long evening gown", "women's footwear", "handbag", "business attire for men",
               "casual tee", "pants for women", "children's clothes", "men's dress shoes",
               "traditional robe for men", "outfit for a little girl", "ankara dress",
               "lace gown"]  # fmt: skip


def _backfill(env: dict[str, str]) -> tuple[int, float]:
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "manage.py", "backfill_embeddings"],
        env={**env, "DJANGO_SETTINGS_MODULE": "worker_service.settings"},
        capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout  # fmt: skip
    seconds = time.monotonic() - started
    match = re.search(r"(\d+) computed", out)
    return (int(match.group(1)) if match else 0), seconds


async def _hybrid(base: str) -> tuple[Result, dict[str, int]]:
    """Like _load, counting which ranking answered."""
    host, port = base.removeprefix("http://").split(":")
    rng = random.Random(7)
    latencies: list[float] = []
    modes: dict[str, int] = {}
    errors = count = 0

    async def worker(record: bool, until: float) -> None:
        nonlocal errors, count
        connection = _Connection(host, int(port))
        try:
            while time.monotonic() < until:
                q = rng.choice(PARAPHRASES).replace(" ", "+").replace("'", "%27")
                started = time.perf_counter()
                try:
                    status, body = await connection.request(
                        "GET", f"/api/v2/products/search?q={q}&mode=hybrid&limit=20"
                    )
                    ok = status < 400
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    await connection.close()
                    ok, body = False, b""
                elapsed = (time.perf_counter() - started) * 1000
                if record:
                    count += 1
                    latencies.append(elapsed)
                    errors += 0 if ok else 1
                    mode = "hybrid" if b'"mode_used":"hybrid"' in body else "text"
                    modes[mode] = modes.get(mode, 0) + 1
        finally:
            await connection.close()

    warm_until = time.monotonic() + WARMUP
    await asyncio.gather(*(worker(False, warm_until) for _ in range(CONCURRENCY)))
    started = time.monotonic()
    await asyncio.gather(*(worker(True, started + DURATION) for _ in range(CONCURRENCY)))
    return Result("v2 hybrid search", count, errors, time.monotonic() - started, latencies), modes


async def _scenarios(base: str, ids: list[int]) -> tuple[list[Result], dict[str, int]]:
    def text(rng: random.Random) -> str:
        q = rng.choice(PARAPHRASES).replace(" ", "+").replace("'", "%27")
        return f"/api/v2/products/search?q={q}&limit=20"

    results = []
    for name, make_path in (
        ("ingress only", lambda rng: INGRESS_ONLY),
        ("v2 text search", text),
    ):
        print(f"  {name}...", flush=True)
        results.append(await _load(base, name, make_path, CONCURRENCY, DURATION))
    print("  v2 hybrid search...", flush=True)
    hybrid, modes = await _hybrid(base)
    results.append(hybrid)
    print("  v2 similar products...", flush=True)
    results.append(
        await _load(
            base,
            "v2 similar products",
            lambda rng: f"/api/v2/products/{rng.choice(ids)}/similar?limit=10",
            CONCURRENCY,
            DURATION,
        )
    )
    return results, modes


def main() -> int:
    from deploy.localstack.stack import AppStack, Ports

    with seeded_database(PRODUCTS) as (env, run_dir):
        computed, seconds = _backfill(env)
        print(f"embeddings: {computed} in {seconds:.1f}s", flush=True)
        ids = _product_ids(env)
        stack = AppStack(
            ports=Ports.free(),
            env=env,
            run_dir=run_dir,
            log_dir=run_dir / "logs",
            web_concurrency=PROCESSES,
            async_concurrency=PROCESSES,
        )
        stack.start()
        try:
            results, modes = asyncio.run(_scenarios(stack.ports.base_url, ids))
        finally:
            stack.stop()
    _report(results, modes, computed, seconds)
    return 0


def _report(results: list[Result], modes: dict[str, int], computed: int, seconds: float) -> None:
    raw = results[0].rps
    lines = [
        f"Discovery through the ingress: {PRODUCTS} products, {CONCURRENCY} connections, "
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
    lines += [
        "",
        f"- hybrid answers by ranking: {modes}",
        f"- embeddings (backfill, the worker's model, 1 thread, batches of 64): {computed} "
        f"texts in {seconds:.1f}s = {computed / seconds:.1f} texts/s (process start and "
        "database included)",
    ]
    table = "\n".join(lines)
    print("\n" + table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "discovery.md").write_text(table + "\n")
    print(f"\nwritten: {RESULTS / 'discovery.md'}")


if __name__ == "__main__":
    sys.exit(main())
