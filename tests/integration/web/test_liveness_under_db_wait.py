"""v1 liveness through a real gunicorn while every one of its threads waits on
PostgreSQL (a table lock held by another session): the probe still answers at once,
so a database stall never gets healthy processes restarted."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from deploy.localstack.backing import REPO_ROOT
from deploy.localstack.procs import ManagedProcess, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THREADS = 2


@pytest.fixture
def gunicorn(subprocess_env, tmp_path) -> Iterator[str]:
    port = free_port()
    server = ManagedProcess(
        "sync (gunicorn)",
        [sys.executable, "-m", "gunicorn", "-c", "sync_service/gunicorn_conf.py",
         "sync_service.wsgi:application"],
        env={
            **subprocess_env,
            "DJANGO_SETTINGS_MODULE": "sync_service.settings",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": str(THREADS),
            "GUNICORN_TIMEOUT": "60",
            "THROTTLE_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        },
        health_url=f"http://127.0.0.1:{port}/api/v1/healthz",
        log_path=tmp_path / "gunicorn.log",
        cwd=REPO_ROOT,
    )  # fmt: skip
    server.start()
    try:
        server.wait_healthy()
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _waiting_on_locks(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()
        return int(row[0]) if row else 0


def test_liveness_answers_fast_while_every_thread_waits_on_the_database(gunicorn, subprocess_env):
    dsn = subprocess_env["DATABASE_URL"]
    # Warm: the worker has its connections and compiled code before the stall.
    assert httpx.get(f"{gunicorn}/api/v1/products", timeout=10).status_code == 200
    locker = psycopg.connect(dsn)
    locker.execute("LOCK TABLE catalog_product IN ACCESS EXCLUSIVE MODE")
    statuses: list[int] = []

    def read() -> None:
        statuses.append(httpx.get(f"{gunicorn}/api/v1/products", timeout=60).status_code)

    readers = [threading.Thread(target=read) for _ in range(THREADS + 2)]  # + queued ones
    try:
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 10
        while _waiting_on_locks(dsn) < THREADS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_on_locks(dsn) == THREADS  # every thread is stuck in PostgreSQL

        timings = []
        with httpx.Client(base_url=gunicorn, timeout=5) as probe:
            for method in ("GET", "HEAD", "GET"):
                started = time.monotonic()
                response = probe.request(
                    method, "/api/v1/healthz", headers={"X-Request-ID": "probe-1"}
                )
                timings.append(time.monotonic() - started)
                assert response.status_code == 200
                assert response.headers["X-Request-ID"] == "probe-1"
                assert response.headers["Server"] == "gunicorn"
                if method == "GET":
                    assert response.json() == {"status": "ok", "service": "sync"}
                    assert response.headers["Content-Type"] == "application/json"
        assert max(timings) < 1.0, timings
        assert statuses == []  # the reads were still waiting all along
    finally:
        locker.rollback()
        locker.close()
        for reader in readers:
            reader.join(timeout=30)
    assert statuses == [200] * len(readers)
    # Another path is served by the threads as before.
    assert httpx.get(f"{gunicorn}/api/v1/readyz", timeout=10).status_code == 200
