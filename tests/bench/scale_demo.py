"""Scale-out on one machine (`make scale-demo`; tests/e2e/test_scale_out.py runs it small).

Starts what a cluster runs, on the embedded database and Redis: 2 x v1 (gunicorn), 2 x v2
(uvicorn), the three worker pools (critical+emails x 2, each also running the scheduler;
default; analytics+ai) and the Caddy ingress in front of the APIs, then shows:

1. requests spread over the instances (the ingress names the one that answered,
   `X-Served-By`);
2. every task of a burst on all five queues runs exactly once (each run counts itself
   in Redis), and which pool ran what;
3. two schedulers fire each tick once between them; SIGKILL the one that fired most
   and the other keeps firing;
4. SIGKILL a v2 instance under load: the ingress routes around it (retries on the
   other instance, then its active health check leaves it out), no request fails.

Prints a report; `--json` prints the numbers. Loads only loopback addresses, bounded.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from deploy.localstack.backing import REPO_ROOT, database_url_for, drop_database, ensure_database
from deploy.localstack.procs import ManagedProcess, free_port
from deploy.localstack.stack import CADDYFILE, caddy_binary, manage

QUEUES = ("critical", "emails", "default", "analytics", "ai")
POOLS = {
    "critical": ("critical,emails", True),
    "default": ("default", False),
    "batch": ("analytics,ai", False),
}
TICK_JOB = "test-every-second"


@dataclass
class Cluster:
    base_url: str
    v1: dict[str, ManagedProcess] = field(default_factory=dict)
    v2: dict[str, ManagedProcess] = field(default_factory=dict)
    workers: dict[str, tuple[ManagedProcess, str]] = field(default_factory=dict)
    ingress: ManagedProcess | None = None

    def all(self) -> list[ManagedProcess]:
        procs = [*self.v1.values(), *self.v2.values(), *(p for p, _ in self.workers.values())]
        return procs + ([self.ingress] if self.ingress else [])


def _gunicorn(name: str, port: int, env: dict[str, str], run_dir: Path) -> ManagedProcess:
    metrics_dir = run_dir / "metrics" / name
    metrics_dir.mkdir(parents=True, exist_ok=True)
    return ManagedProcess(
        name,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "sync_service/gunicorn_conf.py",
            "sync_service.wsgi:application",
        ],
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "sync_service.settings",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        },
        health_url=f"http://127.0.0.1:{port}/api/v1/healthz",
        log_path=run_dir / "logs" / f"{name}.log",
        cwd=REPO_ROOT,
    )


def _uvicorn(name: str, port: int, env: dict[str, str], run_dir: Path) -> ManagedProcess:
    return ManagedProcess(
        name,
        [sys.executable, "-m", "async_service"],
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "async_service.settings",
            "ASYNC_HOST": "127.0.0.1",
            "ASYNC_PORT": str(port),
        },
        health_url=f"http://127.0.0.1:{port}/api/v2/healthz",
        log_path=run_dir / "logs" / f"{name}.log",
        cwd=REPO_ROOT,
    )


def _worker(
    name: str, port: int, queues: str, scheduler: bool, env: dict[str, str], run_dir: Path
) -> ManagedProcess:
    return ManagedProcess(
        name,
        [
            sys.executable,
            "-m",
            "worker_service",
            "--queues",
            queues,
            "--scheduler" if scheduler else "--no-scheduler",
            "--concurrency",
            "2",
            "--health-host",
            "127.0.0.1",
            "--health-port",
            str(port),
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "worker_service.settings"},
        health_url=f"http://127.0.0.1:{port}/healthz",
        log_path=run_dir / "logs" / f"{name}.log",
        cwd=REPO_ROOT,
    )


@contextmanager
def cluster(env: dict[str, str], run_dir: Path) -> Iterator[Cluster]:
    ingress_port = free_port()
    found = Cluster(base_url=f"http://127.0.0.1:{ingress_port}")
    ports: dict[str, int] = {}
    for name in ("v1-a", "v1-b"):
        ports[name] = free_port()
        found.v1[name] = _gunicorn(name, ports[name], env, run_dir)
    for name in ("v2-a", "v2-b"):
        ports[name] = free_port()
        found.v2[name] = _uvicorn(name, ports[name], env, run_dir)
    for pool, (queues, scheduler) in POOLS.items():
        for suffix in ("a", "b") if pool == "critical" else ("a",):
            name = f"worker-{pool}-{suffix}"
            port = free_port()
            found.workers[name] = (
                _worker(name, port, queues, scheduler, env, run_dir),
                f"http://127.0.0.1:{port}",
            )
    found.ingress = ManagedProcess(
        "ingress",
        [caddy_binary(), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={
            **env,
            "INGRESS_HOST": "127.0.0.1",
            "INGRESS_PORT": str(ingress_port),
            "V1_UPSTREAM": " ".join(f"127.0.0.1:{ports[n]}" for n in found.v1),
            "V2_UPSTREAM": " ".join(f"127.0.0.1:{ports[n]}" for n in found.v2),
            "XDG_DATA_HOME": str(run_dir / "caddy" / "data"),
            "XDG_CONFIG_HOME": str(run_dir / "caddy" / "config"),
        },
        health_url=f"{found.base_url}/api/v2/healthz",
        log_path=run_dir / "logs" / "ingress.log",
        cwd=REPO_ROOT,
    )
    try:
        for process in found.all():
            process.start()
        for process in found.all():
            process.wait_healthy(120.0)
        yield found
    finally:
        for process in found.all():
            process.signal(signal.SIGTERM)
        for process in found.all():
            process.wait_or_kill(30.0)


# ---------------------------------------------------------------------- 1. spread
def _instance(cluster: Cluster, served_by: str) -> str:
    """The instance name behind the address the ingress reports in X-Served-By."""
    for name, process in {**cluster.v1, **cluster.v2}.items():
        if process.health_url and f"//{served_by}/" in process.health_url:
            return name
    return served_by or "?"


def spread(cluster: Cluster, client: httpx.Client, path: str, requests: int) -> dict[str, int]:
    served: collections.Counter[str] = collections.Counter()
    for _ in range(requests):
        response = client.get(path)
        response.raise_for_status()
        served[_instance(cluster, response.headers.get("X-Served-By", ""))] += 1
    return dict(sorted(served.items()))


# ---------------------------------------------------------------------- 2. exactly once
def burst(cluster: Cluster, redis_url: str, tasks_per_queue: int) -> dict[str, Any]:
    import redis
    from django_tasks_db.models import DBTaskResult

    from tests.tasks import tally

    client = redis.Redis.from_url(redis_url)
    client.delete("scale-demo:runs")
    ids: dict[str, str] = {}
    for queue in QUEUES:
        task = tally.using(queue_name=queue)
        for n in range(tasks_per_queue):
            key = f"{queue}-{n}"
            ids[str(task.enqueue(key).id)] = queue
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline:
        done = DBTaskResult.objects.filter(id__in=list(ids), status="SUCCESSFUL").count()
        if done == len(ids):
            break
        time.sleep(0.5)
    raw: dict[bytes, bytes] = client.hgetall("scale-demo:runs")  # type: ignore[assignment]
    runs = {k.decode(): int(v) for k, v in raw.items()}
    client.close()
    pids = {
        str(process.pid): name for name, (process, _) in cluster.workers.items() if process.pid
    }
    by_worker: collections.Counter[str] = collections.Counter()
    for worker_ids in DBTaskResult.objects.filter(id__in=list(ids)).values_list(
        "worker_ids", flat=True
    ):
        match = re.search(r"-(\d+)-[0-9a-f]{12}$", worker_ids[-1] if worker_ids else "")
        by_worker[pids.get(match.group(1), "?") if match else "?"] += 1
    return {
        "tasks": len(ids),
        "succeeded": done,
        "ran_once": sum(1 for count in runs.values() if count == 1),
        "ran_twice_or_more": sum(1 for count in runs.values() if count > 1),
        "never_ran": len(ids) - len(runs),
        "by_worker": dict(sorted(by_worker.items())),
    }


# ---------------------------------------------------------------------- 3. scheduler
def _fired(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    match = re.search(
        rf'^fashionistar_scheduled_jobs_fired_total\{{job="{TICK_JOB}"\}} (\S+)$',
        text,
        re.MULTILINE,
    )
    return float(match.group(1)) if match else 0.0


def _ticks_fired(schedulers: dict[str, str], seconds: float) -> tuple[dict[str, float], float]:
    before = {name: _fired(base) for name, base in schedulers.items()}
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    return {name: _fired(base) - before[name] for name, base in schedulers.items()}, elapsed


def scheduler_failover(cluster: Cluster, seconds: float) -> dict[str, Any]:
    schedulers = {
        name: base
        for name, (_, base) in cluster.workers.items()
        if name.startswith("worker-critical")
    }
    fired, elapsed = _ticks_fired(schedulers, seconds)
    leader = max(fired, key=lambda name: fired[name])
    cluster.workers[leader][0].signal(signal.SIGKILL, group=True)
    cluster.workers[leader][0].wait_or_kill(10.0)
    survivors = {n: b for n, b in schedulers.items() if n != leader}
    after, after_elapsed = _ticks_fired(survivors, seconds)
    return {
        "before_kill": {"seconds": round(elapsed, 1), "fired": fired},
        "killed": leader,
        "after_kill": {"seconds": round(after_elapsed, 1), "fired": after},
    }


# ---------------------------------------------------------------------- 4. v2 failover
def v2_failover(cluster: Cluster, seconds: float, clients: int) -> dict[str, Any]:
    outcomes: list[tuple[float, str, str]] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    path = "/api/v2/products/search?q=dress&limit=5"

    def load() -> None:
        with httpx.Client(base_url=cluster.base_url, timeout=10) as client:
            while time.monotonic() < deadline:
                try:
                    response = client.get(path)
                    outcome = str(response.status_code)
                    served = _instance(cluster, response.headers.get("X-Served-By", ""))
                except httpx.HTTPError as exc:
                    outcome, served = type(exc).__name__, "-"
                with lock:
                    outcomes.append((time.monotonic() - started, outcome, served))

    threads = [threading.Thread(target=load) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 3)
    victim = "v2-a"
    killed_at = time.monotonic() - started
    cluster.v2[victim].signal(signal.SIGKILL, group=True)
    for thread in threads:
        thread.join()
    failed = [o for o in outcomes if o[1] != "200"]
    # A response already streaming from the killed process cannot be saved by any
    # proxy: only requests in flight at the kill may fail; after the health check
    # (every 2 s, 1 s timeout) has seen it gone, none may.
    settled = killed_at + 3
    served_after: collections.Counter[str] = collections.Counter(
        s for t, code, s in outcomes if t > settled and code == "200"
    )
    return {
        "requests": len(outcomes),
        "failed": len(failed),
        "failed_after_health_check": sum(1 for t, _, _ in failed if t > settled),
        "in_flight": clients,
        "failures": collections.Counter(code for _, code, _ in failed),
        "killed": victim,
        "killed_at_s": round(killed_at, 1),
        "served_after_kill": dict(served_after),
    }


# ---------------------------------------------------------------------- run
def run(
    *,
    requests: int = 40,
    tasks_per_queue: int = 40,
    tick_seconds: float = 5.0,
    load_seconds: float = 9.0,
    clients: int = 6,
) -> dict[str, Any]:
    base_url = os.environ["DATABASE_URL"]
    name = f"fashionistar_scale_{uuid.uuid4().hex[:8]}"
    admin = database_url_for(base_url, "postgres")
    ensure_database(admin, name)
    run_dir = Path(tempfile.mkdtemp(prefix="fashionistar-scale-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=database_url_for(base_url, name),
        APP_ENV="development",
        PYTHONUNBUFFERED="1",
        THROTTLE_ENABLED="false",  # the load must reach the servers, not the rate limits
        PERIODIC_JOBS="tests.schedule.FAST",
        LOG_LEVEL="WARNING",
    )
    # This process enqueues and inspects tasks in the demo's database; quiet logs (the
    # load would log a line per request).
    os.environ.update(
        DATABASE_URL=env["DATABASE_URL"],
        DJANGO_SETTINGS_MODULE="worker_service.settings",
        LOG_LEVEL="WARNING",
    )
    try:
        manage(["migrate", "--noinput", "-v", "0"], env=env)
        import django

        django.setup()
        with (
            cluster(env, run_dir) as running,
            httpx.Client(base_url=running.base_url, timeout=10) as client,
        ):
            report = {
                "spread": {
                    "v1": spread(running, client, "/api/v1/healthz", requests),
                    "v2": spread(running, client, "/api/v2/healthz", requests),
                },
                "tasks": burst(running, env["REDIS_URL"], tasks_per_queue),
                "scheduler": scheduler_failover(running, tick_seconds),
                "v2_failover": v2_failover(running, load_seconds, clients),
            }
        from django.db import connections

        connections.close_all()
        return report
    finally:
        os.environ["DATABASE_URL"] = base_url
        drop_database(admin, name)
        shutil.rmtree(run_dir, ignore_errors=True)


def _print(report: dict[str, Any]) -> None:
    spread_ = report["spread"]
    tasks = report["tasks"]
    sched = report["scheduler"]
    fail = report["v2_failover"]
    print("1. requests spread over instances (X-Served-By)")
    for api, served in spread_.items():
        print(f"   {api}: {served}")
    print("2. burst of tasks on every queue")
    print(
        f"   {tasks['tasks']} tasks: {tasks['succeeded']} succeeded, {tasks['ran_once']} ran "
        f"exactly once, {tasks['ran_twice_or_more']} more than once, {tasks['never_ran']} never"
    )
    print(f"   by worker: {tasks['by_worker']}")
    print("3. two schedulers, then the busier one killed")
    before, after = sched["before_kill"], sched["after_kill"]
    print(f"   {before['seconds']} s: ticks fired {before['fired']} (one per second in all)")
    print(f"   killed {sched['killed']} (SIGKILL); next {after['seconds']} s: {after['fired']}")
    print("4. a v2 instance killed under load")
    print(
        f"   {fail['requests']} requests, {fail['failed']} failed {dict(fail['failures'])} "
        f"({fail['failed_after_health_check']} after the health check); "
        f"{fail['killed']} killed at {fail['killed_at_s']} s; "
        f"served from 3 s after: {fail['served_after_kill']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.scale_demo", description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--requests", type=int, default=40, help="per API, for the spread")
    parser.add_argument("--tasks-per-queue", type=int, default=40)
    parser.add_argument("--tick-seconds", type=float, default=5.0)
    parser.add_argument("--load-seconds", type=float, default=9.0)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args(argv)
    report = run(
        requests=args.requests,
        tasks_per_queue=args.tasks_per_queue,
        tick_seconds=args.tick_seconds,
        load_seconds=args.load_seconds,
        clients=args.clients,
    )
    if args.json:
        print(json.dumps(report, default=dict))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
