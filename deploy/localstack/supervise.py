"""Keeping the local stack running, as a process manager would: a process that exits
is restarted after a backoff while the others keep serving, and Redis is watched (an
embedded one is restarted on its port)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deploy.localstack.procs import ManagedProcess

Log = Callable[[str], None]


def _print(message: str) -> None:
    print(message, flush=True)


@dataclass
class _Backoff:
    failures: int = 0
    due: float | None = None
    started_at: float = 0.0


class Supervisor:
    """Call `tick()` periodically. A process that exited is restarted after
    `base_delay` seconds, doubling with each consecutive crash up to `max_delay`; a
    process that has run for `stable_after` seconds starts again from `base_delay`."""

    def __init__(
        self,
        processes: Sequence[ManagedProcess],
        *,
        log: Log = _print,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        stable_after: float = 60.0,
        redis: RedisWatch | None = None,
    ) -> None:
        self.processes = processes
        self.log = log
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.redis = redis
        self.restarts: dict[str, int] = {p.name: 0 for p in processes}
        self._state = {p.name: _Backoff(started_at=time.monotonic()) for p in processes}

    def tick(self) -> None:
        now = time.monotonic()
        for process in self.processes:
            self._watch(process, now)
        if self.redis is not None:
            self.redis.tick()

    def _watch(self, process: ManagedProcess, now: float) -> None:
        state = self._state[process.name]
        code = process.exited()
        if code is None:
            if state.failures and now - state.started_at >= self.stable_after:
                state.failures = 0
            return
        if state.due is None:
            # What the dead process started (gunicorn's or uvicorn's workers) must not
            # keep its port: the whole session goes.
            _kill_session(process)
            delay = min(self.max_delay, self.base_delay * 2**state.failures)
            state.failures += 1
            state.due = now + delay
            self.log(f"{process.name} exited with {code}; restarting in {delay:g}s")
        elif now >= state.due:
            process.restart()
            state.due = None
            state.started_at = now
            self.restarts[process.name] += 1
            self.log(f"{process.name} restarted (pid {process.pid})")


def _kill_session(process: ManagedProcess) -> None:
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


class RedisWatch:
    """PINGs Redis each tick; logs when it stops or starts answering, and calls
    `restart` (when given: an embedded Redis) while it does not answer, at most once
    per `retry_every` seconds."""

    def __init__(
        self,
        url: str,
        *,
        log: Log = _print,
        restart: Callable[[], None] | None = None,
        retry_every: float = 2.0,
    ) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors = (redis.RedisError, OSError)
        self.url = url
        self.log = log
        self.restart = restart
        self.retry_every = retry_every
        self.up = True
        self._last_restart = 0.0

    def tick(self) -> None:
        try:
            answered = bool(self._client.ping())
        except self._errors:
            answered = False
        if answered != self.up:
            self.up = answered
            self.log(
                f"Redis at {self.url} answers again"
                if answered
                else f"Redis at {self.url} does not answer; the APIs serve degraded"
            )
        now = time.monotonic()
        if (
            not answered
            and self.restart is not None
            and now - self._last_restart >= self.retry_every
        ):
            self._last_restart = now
            self.log("restarting the embedded Redis")
            self.restart()
