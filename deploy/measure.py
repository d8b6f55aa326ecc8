"""Measure what the Kubernetes resources and grace periods are sized from
(`make measure`): each deployable's memory at rest and under load, and how long it takes
from SIGTERM to exit, idle and with work in flight.

Memory is read from /proc for the whole process tree of a server (gunicorn's master
and workers, uvicorn, the worker with its threads): RSS counts pages shared between
forked workers once per process, PSS shares them out, so the PSS sum is what the
pod's cgroup is charged for and what `resources` are sized from.

Runs against DATABASE_URL/REDIS_URL (`python -m deploy.localstack exec -- ...` gives
embedded ones); servers listen on free ports. Prints a table and, with --json, the
numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from deploy.localstack.backing import REPO_ROOT
from deploy.localstack.procs import ManagedProcess, free_port
from deploy.localstack.stack import manage


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(_children(current))
    return pids


def _kib(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def memory_mib(pid: int) -> dict[str, float]:
    """RSS and PSS of a process tree, MiB."""
    tree = process_tree(pid)
    rss = sum(_kib(Path(f"/proc/{p}/status"), "VmRSS") for p in tree)
    pss = sum(_kib(Path(f"/proc/{p}/smaps_rollup"), "Pss") for p in tree)
    return {"rss": round(rss / 1024, 1), "pss": round(pss / 1024, 1), "processes": len(tree)}


class Sampler:
    """Peak memory of a process tree while something runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = {"rss": 0.0, "pss": 0.0, "processes": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = memory_mib(self.pid)
            if now["pss"] > self.peak["pss"]:
                self.peak = now
            self._stop.wait(0.25)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def http_load(urls: list[str], *, seconds: float, concurrency: int) -> dict[str, int]:
    """Bounded load on loopback: `concurrency` threads cycling over `urls`. Returns the
    count of each status (and of connection errors)."""
    counts: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop(offset: int) -> None:
        with httpx.Client(timeout=10.0) as client:
            i = offset
            while time.monotonic() < deadline:
                try:
                    outcome = str(client.get(urls[i % len(urls)]).status_code)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                with lock:
                    counts[outcome] = counts.get(outcome, 0) + 1
                i += 1

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def shutdown_seconds(process: ManagedProcess, during: Callable[[], None] | None = None) -> float:
    """SIGTERM → exit, in seconds; `during` starts in-flight work first."""
    if during is not None:
        during()
    started = time.monotonic()
    process.signal(signal.SIGTERM)
    process.wait_or_kill(120.0)
    return round(time.monotonic() - started, 2)


def _server(name: str, env: dict[str, str]) -> tuple[ManagedProcess, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = REPO_ROOT / ".data" / "measure" / f"{name}.log"
    if name == "sync":
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "sync_service/gunicorn_conf.py",
            "sync_service.wsgi:application",
        ]
        env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "sync_service.settings",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        }
        health = f"{base}/api/v1/healthz"
    elif name == "async":
        argv = [sys.executable, "-m", "async_service"]
        env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "async_service.settings",
            "ASYNC_HOST": "127.0.0.1",
            "ASYNC_PORT": str(port),
        }
        health = f"{base}/api/v2/healthz"
    else:
        argv = [
            sys.executable,
            "-m",
            "worker_service",
            "--health-host",
            "127.0.0.1",
            "--health-port",
            str(port),
        ]
        env = {**env, "DJANGO_SETTINGS_MODULE": "worker_service.settings"}
        health = f"{base}/healthz"
    return ManagedProcess(
        name, argv, env=env, health_url=health, log_path=log, cwd=REPO_ROOT
    ), base


def measure_api(
    name: str, env: dict[str, str], routes: list[str], seconds: float
) -> dict[str, Any]:
    process, base = _server(name, env)
    process.start()
    process.wait_healthy(90.0)
    if process.pid is None:
        raise RuntimeError(f"{name} did not start")
    urls = [base + route for route in routes]
    http_load(urls, seconds=2.0, concurrency=2)  # warm: lazy imports, pool connections
    time.sleep(1.0)
    rest = memory_mib(process.pid)
    with Sampler(process.pid) as sampler:
        counts = http_load(urls, seconds=seconds, concurrency=16)
    idle = shutdown_seconds(process)

    process, base = _server(name, env)
    process.start()
    process.wait_healthy(90.0)
    urls = [base + route for route in routes]
    loader = threading.Thread(
        target=http_load, args=(urls,), kwargs={"seconds": 3.0, "concurrency": 16}
    )

    def start_load() -> None:
        loader.start()
        time.sleep(1.0)  # requests are in flight when SIGTERM comes

    busy = shutdown_seconds(process, during=start_load)
    loader.join()
    return {
        "at_rest": rest,
        "under_load": sampler.peak,
        "requests": counts,
        "shutdown_idle_s": idle,
        "shutdown_in_flight_s": busy,
    }


def measure_worker(env: dict[str, str], burst: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worker_service.settings")
    import django

    django.setup()
    from tests.bench.tasks import noop

    process, _ = _server("worker", env)
    process.start()
    process.wait_healthy(90.0)
    if process.pid is None:
        raise RuntimeError("worker did not start")
    time.sleep(2.0)
    rest = memory_mib(process.pid)
    with Sampler(process.pid) as sampler:
        for _ in range(burst):
            noop.enqueue()
        time.sleep(8.0)
    idle = shutdown_seconds(process)

    process, _ = _server("worker", env)
    process.start()
    process.wait_healthy(90.0)

    def enqueue() -> None:
        for _ in range(burst):
            noop.enqueue()

    busy = shutdown_seconds(process, during=enqueue)
    return {
        "at_rest": rest,
        "under_load": sampler.peak,
        "tasks": burst,
        "shutdown_idle_s": idle,
        "shutdown_in_flight_s": busy,
    }


_ROLES = {
    "sync": "sync_service.wsgi",
    "async": "async_service",
    "worker": "worker_service",
}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def server_roots() -> dict[str, list[int]]:
    """This checkout's running servers, by role: the top process of each (a gunicorn
    master, not its workers), found by command line and working directory."""
    roots: dict[str, list[int]] = {role: [] for role in _ROLES}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if Path(f"/proc/{pid}/cwd").resolve() != REPO_ROOT:
                continue
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        command = _cmdline(pid)
        for role, marker in _ROLES.items():
            if marker in command and marker not in _cmdline(ppid):
                roots[role].append(pid)
    return roots


def watch(seconds: float) -> dict[str, dict[str, float]]:
    """Peak memory per role of whatever runs now (e.g. `make bench`): for `seconds` at
    most, or until the servers it saw have all stopped."""
    peak: dict[str, dict[str, float]] = {}
    deadline = time.monotonic() + seconds
    gone_since: float | None = None
    while time.monotonic() < deadline:
        roots = server_roots()
        for role, pids in roots.items():
            for pid in pids:
                now = memory_mib(pid)
                if now["pss"] > peak.get(role, {}).get("pss", 0.0):
                    peak[role] = now
        if peak and not any(roots.values()):
            gone_since = gone_since or time.monotonic()
            if time.monotonic() - gone_since > 3:
                break
        else:
            gone_since = None
        time.sleep(0.5)
    return peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.measure", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="load duration per API")
    parser.add_argument("--burst", type=int, default=2000, help="tasks enqueued for the worker")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--watch",
        type=float,
        metavar="SECONDS",
        help="measure nothing of its own: report the peak memory of this checkout's "
        "servers while something else (make bench) runs",
    )
    args = parser.parse_args(argv)
    if args.watch:
        for role, peak in watch(args.watch).items():
            print(
                f"{role:8} peak PSS {peak['pss']:.0f} MiB, RSS {peak['rss']:.0f} MiB "
                f"({peak['processes']:.0f} processes)"
            )
        return 0
    # No rate limits: the load must reach the views, not the throttle.
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "APP_ENV": "development",
        "THROTTLE_ENABLED": "false",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage(["migrate", "--noinput", "-v", "0"], env=env)
    manage(["seed_demo", "--if-empty"], env=env)
    results = {
        "sync": measure_api(
            "sync",
            env,
            [
                "/api/v1/products",
                "/api/v1/products?search=dress",
                "/api/v1/categories",
                "/api/v1/readyz",
            ],
            args.seconds,
        ),
        "async": measure_api(
            "async",
            env,
            ["/api/v2/products/search?q=dress", "/api/v2/products/search", "/api/v2/readyz"],
            args.seconds,
        ),
        "worker": measure_worker(env, args.burst),
    }
    if args.json:
        print(json.dumps(results, indent=2))
    print(
        f"{'process':8} {'rest PSS':>9} {'rest RSS':>9} {'load PSS':>9} {'load RSS':>9} "
        f"{'stop idle':>10} {'stop busy':>10}"
    )
    for name, r in results.items():
        print(
            f"{name:8} {r['at_rest']['pss']:>8.0f}M {r['at_rest']['rss']:>8.0f}M "
            f"{r['under_load']['pss']:>8.0f}M {r['under_load']['rss']:>8.0f}M "
            f"{r['shutdown_idle_s']:>9.2f}s {r['shutdown_in_flight_s']:>9.2f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
