"""Task pipeline benchmark: end-to-end throughput (enqueue → finished) and latency with
1 and 2 worker processes, on the database backend and on RQ.

    python -m deploy.localstack exec -- python -m tests.bench.bench_tasks   # make bench-tasks

For each backend and worker count:
- throughput: BURST no-op tasks enqueued at once; tasks/s until the last one finished;
- latency: PACED tasks enqueued at RATE per second (below capacity), the time from
  enqueue to finish of each, p50/p95/p99.
The raw baseline, measured in the same run, is the same claim-and-complete SQL a
worker does (SELECT … FOR UPDATE SKIP LOCKED, UPDATE) in a bare psycopg loop on one
connection: the ceiling one worker process could reach without Django or the task
machinery. Throughputs are also given as a ratio to it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

from tests.workerproc import REPO, WorkerProcess, stop_all, wait_for

BURST = int(os.environ.get("BENCH_TASKS_BURST", "1000"))
PACED = int(os.environ.get("BENCH_TASKS_PACED", "200"))
RATE = float(os.environ.get("BENCH_TASKS_RATE", "20"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def raw_baseline(database_url: str, n: int = 2000) -> float:
    """Claims/s of a bare psycopg loop doing the worker's SQL on one connection."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TEMP TABLE q (id bigserial primary key, status text, priority int, "
            "run_after timestamptz, enqueued_at timestamptz default now(), payload jsonb)"
        )
        conn.execute("CREATE INDEX ON q (status, priority DESC, run_after, enqueued_at)")
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO q (status, priority, run_after, payload) VALUES "
                "('READY', 0, now(), %s)",
                [(json.dumps({"args": [], "kwargs": {}}),) for _ in range(n)],
            )
        started = time.perf_counter()
        for _ in range(n):
            with conn.transaction():
                row = conn.execute(
                    "SELECT id FROM q WHERE status = 'READY' AND run_after <= now() "
                    "ORDER BY priority DESC, run_after, enqueued_at LIMIT 1 "
                    "FOR UPDATE SKIP LOCKED"
                ).fetchone()
                assert row is not None
                conn.execute("UPDATE q SET status = 'RUNNING' WHERE id = %s", row)
            conn.execute("UPDATE q SET status = 'SUCCESSFUL' WHERE id = %s", row)
        return n / (time.perf_counter() - started)


def _start_workers(count: int, env: dict[str, str]) -> list[WorkerProcess]:
    return [WorkerProcess(env, "--concurrency", "1", "--queues", "default") for _ in range(count)]


def _timings(ids: list[str]) -> list[tuple[float, float]]:
    """(enqueued, finished) epoch seconds of each finished task; empty if any is not done."""
    from django.conf import settings

    if settings.TASKS_BACKEND == "rq":
        import django_rq
        from django_tasks_rq.backend import Job

        connection = django_rq.get_connection()
        jobs = Job.fetch_many(ids, connection=connection)
        out = []
        for job in jobs:
            if job is None or job.ended_at is None or job.enqueued_at is None:
                return []
            out.append((job.enqueued_at.timestamp(), job.ended_at.timestamp()))
        return out
    from django_tasks_db.models import DBTaskResult

    rows = list(
        DBTaskResult.objects.filter(id__in=ids, status="SUCCESSFUL").values_list(
            "enqueued_at", "finished_at"
        )
    )
    if len(rows) < len(ids):
        return []
    return [(a.timestamp(), b.timestamp()) for a, b in rows if b is not None]


def _wait_all(ids: list[str], timeout: float = 300.0) -> list[tuple[float, float]]:
    timings: list[tuple[float, float]] = []

    def finished() -> bool:
        timings[:] = _timings(ids)
        return bool(timings)

    if not wait_for(finished, timeout, every=0.2):
        raise RuntimeError(f"{len(ids)} tasks did not finish in {timeout}s")
    return timings


def run_backend(workers: list[int]) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings

    from tests.bench.tasks import noop

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    results: dict[str, Any] = {"backend": settings.TASKS_BACKEND, "runs": []}
    for count in workers:
        procs = _start_workers(count, env)
        try:
            warm = [str(noop.enqueue().id) for _ in range(20)]
            _wait_all(warm, timeout=60)

            ids = []
            started = time.time()
            ids = [str(noop.enqueue().id) for _ in range(BURST)]
            timings = _wait_all(ids)
            last = max(finished for _, finished in timings)
            throughput = BURST / (last - started)

            paced: list[str] = []
            interval = 1.0 / RATE
            next_at = time.monotonic()
            for _ in range(PACED):
                next_at += interval
                paced.append(str(noop.enqueue().id))
                time.sleep(max(0.0, next_at - time.monotonic()))
            latencies = [(f - e) * 1000 for e, f in _wait_all(paced)]
        finally:
            stop_all(procs)
        results["runs"].append(
            {
                "workers": count,
                "throughput": round(throughput, 1),
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(_percentile(latencies, 0.95), 1),
                "p99_ms": round(_percentile(latencies, 0.99), 1),
            }
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["db", "rq"], help="run one backend (internal)")
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    workers = [int(n) for n in args.workers.split(",")]
    if args.backend:
        os.environ["DJANGO_SETTINGS_MODULE"] = "worker_service.settings"
        print(json.dumps(run_backend(workers)))
        return 0
    return orchestrate(workers)


def orchestrate(workers: list[int]) -> int:
    sys.path.insert(0, str(REPO))
    from deploy.localstack.backing import database_url_for, drop_database, ensure_database
    from deploy.localstack.stack import manage

    base = os.environ["DATABASE_URL"]
    name = f"fashionistar_bench_{uuid.uuid4().hex[:8]}"
    admin = database_url_for(base, "postgres")
    ensure_database(admin, name)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url_for(base, name),
        "LOG_LEVEL": "WARNING",
        "WORKER_POLL_INTERVAL": "1.0",
    }
    try:
        manage(["migrate", "--noinput", "-v", "0"], env=env)
        baseline = raw_baseline(env["DATABASE_URL"])
        reports = []
        for backend in ("db", "rq"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.bench.bench_tasks",
                    "--backend",
                    backend,
                    "--workers",
                    ",".join(map(str, workers)),
                ],
                env={**env, "TASKS_BACKEND": backend},
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            )
            reports.append(json.loads(out.stdout.strip().splitlines()[-1]))
            if backend == "rq":
                import redis

                redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    finally:
        drop_database(admin, name)

    print(f"\nTask pipeline (no-op task; burst {BURST}; paced {PACED} at {RATE:g}/s)")
    print(f"raw baseline: bare SKIP LOCKED claim loop, 1 connection: {baseline:,.0f} claims/s\n")
    print(
        "| backend | worker processes | throughput (tasks/s) | vs raw | p50 latency | p95 | p99 |"
    )
    print("|---|---|---|---|---|---|---|")
    for report in reports:
        for run in report["runs"]:
            print(
                f"| {report['backend']} | {run['workers']} | {run['throughput']:,.0f} | "
                f"{run['throughput'] / baseline:.2f}x | {run['p50_ms']:.0f} ms | "
                f"{run['p95_ms']:.0f} ms | {run['p99_ms']:.0f} ms |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
