"""Command line of the local stack (see the package docstring)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from types import FrameType

from deploy.localstack.backing import (
    DEFAULT_DATA_DIR,
    REPO_ROOT,
    BackingEnv,
    EmbeddedPostgres,
    backing_services,
)
from deploy.localstack.procs import pid_alive
from deploy.localstack.stack import AppStack, Ports, manage
from deploy.localstack.supervise import RedisWatch, Supervisor

RUN_DIR = DEFAULT_DATA_DIR / "run"
PID_FILE = RUN_DIR / "stack.pid"


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def cmd_run(args: argparse.Namespace) -> int:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    if PID_FILE.exists() and pid_alive(int(PID_FILE.read_text() or 0)):
        print(f"The stack already runs (pid {PID_FILE.read_text()}); `make stop` stops it.")
        return 1
    PID_FILE.write_text(str(os.getpid()))
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    ports = Ports(
        ingress=args.port,
        sync=args.port + 1,
        async_=args.port + 2,
        worker=args.port + 3,
        sandbox=args.port + 4,
    )
    started = time.monotonic()
    try:
        with backing_services(purpose="run") as backing:
            # The servers stop inside this block: the databases they use stop after them.
            return _serve(ports, backing, started)
    except _Stop:
        return 0  # stopped before the servers were up
    finally:
        PID_FILE.unlink(missing_ok=True)
        print("Stopped.", flush=True)


def _serve(ports: Ports, backing: BackingEnv, started: float) -> int:
    env = {**os.environ, **backing, "APP_ENV": os.environ.get("APP_ENV", "development")}
    stack: AppStack | None = None
    try:
        print("Applying migrations...", flush=True)
        manage(["migrate", "--noinput", "-v", "0"], env=env)
        print("Loading demo data (first start only)...", flush=True)
        manage(["seed_demo", "--if-empty"], env=env)
        manage(["seed_demo_orders"], env=env)
        # Vendors' dashboards also cover what a database held before it had rollups.
        manage(["rebuild_rollups", "-v", "0"], env=env)
        # Products loaded without events (the demo data) get their embeddings here.
        manage(["backfill_embeddings"], env=env)
        stack = AppStack(ports=ports, env=env, run_dir=RUN_DIR)
        stack.start()
        _print_urls(ports, backing, time.monotonic() - started)
        # A process that dies is restarted (with backoff) while the others serve.
        redis = RedisWatch(
            backing["REDIS_URL"], restart=backing.redis.restart if backing.redis else None
        )
        supervisor = Supervisor(stack.processes, redis=redis)
        while True:
            supervisor.tick()
            time.sleep(0.5)
    except _Stop as stop:
        print(f"\n{stop}: stopping...", flush=True)
        return 0
    finally:
        # A second Ctrl-C while stopping kills instead of waiting; SIGTERM waits.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stack is not None:
            stack.stop()


def _print_urls(ports: Ports, backing: dict[str, str], seconds: float) -> None:
    base = ports.base_url
    print(
        f"""
Fashionistar is up ({seconds:.1f}s). Ctrl-C or `make stop` stops everything.

  ingress         {base}
  v1 (DRF)        {base}/api/v1/healthz   docs {base}/api/v1/docs/   admin {base}/api/v1/admin/
  v2 (Ninja)      {base}/api/v2/healthz   docs {base}/api/v2/docs
  metrics         v1 http://127.0.0.1:{ports.sync}/metrics
                  v2 http://127.0.0.1:{ports.async_}/metrics
                  worker http://127.0.0.1:{ports.worker}/metrics
  payments        sandbox {ports.sandbox_url} (Paystack and Stripe stand-in: pay or decline there)
  emails          written to {DEFAULT_DATA_DIR / "mail"} (e.g. verification codes)
  DATABASE_URL    {backing["DATABASE_URL"]}
  REDIS_URL       {backing["REDIS_URL"]}
""",
        flush=True,
    )


def cmd_exec(args: argparse.Namespace) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("exec needs a command: python -m deploy.localstack exec -- CMD", file=sys.stderr)
        return 2
    with backing_services(purpose="exec") as backing:
        child = subprocess.Popen(command, env={**os.environ, **backing}, cwd=REPO_ROOT)

        def forward(signum: int, frame: FrameType | None) -> None:
            # Ctrl-C already reached the child (same process group); SIGTERM may not have.
            if signum == signal.SIGTERM:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signum)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        return child.wait()


def cmd_stop(args: argparse.Namespace) -> int:
    if PID_FILE.exists():
        pid = int(PID_FILE.read_text() or 0)
        if pid and pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 60
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            print("Stack stopped." if not pid_alive(pid) else f"pid {pid} did not stop in time")
        PID_FILE.unlink(missing_ok=True)
    # Leftovers of a supervisor that was killed outright.
    if EmbeddedPostgres.force_stop(DEFAULT_DATA_DIR / "pg"):
        print("Embedded PostgreSQL stopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localstack")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run everything in the foreground")
    run.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("INGRESS_PORT", "8000")),
        help="ingress port; v1, v2, worker health and the payment sandbox use the next four",
    )
    run.set_defaults(func=cmd_run)
    execute = sub.add_parser("exec", help="run a command with DATABASE_URL and REDIS_URL set")
    execute.add_argument("command", nargs=argparse.REMAINDER)
    execute.set_defaults(func=cmd_exec)
    stop = sub.add_parser("stop", help="stop a running stack")
    stop.set_defaults(func=cmd_stop)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
