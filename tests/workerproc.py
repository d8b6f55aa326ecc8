"""Real worker processes for tests and benchmarks: start `python -m worker_service`,
wait for conditions, stop it warmly or kill it (and its children) like a lost machine."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

import psutil

REPO = Path(__file__).resolve().parents[1]


def wait_for(predicate: Callable[[], object], timeout: float = 20.0, every: float = 0.05) -> bool:
    """Poll `predicate` until it is truthy; False if `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class WorkerProcess:
    """One worker process. Its output goes to a temporary file (`output()`), so a
    failing test can show what the worker logged. Usable as a context manager: leaving
    the block stops it (SIGTERM, then SIGKILL if it does not exit in time)."""

    def __init__(
        self,
        env: Mapping[str, str],
        *args: str,
        health_port: int = 0,
        worker_id: str | None = None,
        scheduler: bool = False,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        argv = [
            sys.executable,
            "-m",
            "worker_service",
            "--health-port",
            str(health_port),
            "--health-host",
            "127.0.0.1",
            "--scheduler" if scheduler else "--no-scheduler",
            *args,
        ]
        if worker_id:
            argv += ["--worker-id", worker_id]
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - outlives this call
        self._terminated = False
        self.proc = subprocess.Popen(
            argv,
            env={
                **env,
                **(extra_env or {}),
                "DJANGO_SETTINGS_MODULE": "worker_service.settings",
            },
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # A session of its own: kill() can take down the worker and its children.
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout)

    def terminate(self) -> None:
        """SIGTERM, once: a second signal would make the worker exit at once."""
        if self.alive() and not self._terminated:
            self._terminated = True
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM (warm shutdown) and wait; SIGKILL everything if it takes too long."""
        self.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.wait(10)

    def kill(self) -> None:
        """SIGKILL the worker and every process it started (an RQ work-horse runs in a
        process group of its own), as losing the machine would."""
        if not self.alive():
            return
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def output(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._log.close()


def stop_all(workers: list[WorkerProcess], timeout: float = 30.0) -> None:
    """Stop several workers at once: signal them all, then wait for each."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.stop(timeout)
