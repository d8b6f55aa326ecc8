"""A real PgBouncer (Debian's `pgbouncer` package) in transaction mode in front of
DATABASE_URL, for the tests that must hold under transaction pooling (`make
pytest-pgbouncer`):

    python -m deploy.localstack.pgbouncer -- pytest tests/integration/orders/test_concurrency.py

It starts PgBouncer on a free loopback port with the production pool mode and the
options deploy/pgbouncer/pgbouncer.ini sets for the apps, runs the command with

- DATABASE_URL pointing at PgBouncer and DB_PGBOUNCER=true (the settings switch the
  README documents: no server-side cursors),
- TASK_LISTEN_DATABASE_URL straight to PostgreSQL (LISTEN needs a session),
- PGBOUNCER_ADMIN_URL, PgBouncer's admin console (the tests release the test database
  there before dropping it),

and stops PgBouncer afterwards. Run as root, PgBouncer drops to the user that owns the
PostgreSQL socket directory (the embedded server's), or `nobody` for a TCP server.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from deploy.localstack.backing import REPO_ROOT
from deploy.localstack.procs import die_with_parent, free_port

ADMIN_USER = "pgbouncer_admin"


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if found is None:
        raise RuntimeError(
            "pgbouncer not found: install Debian's package (apt-get install pgbouncer)"
        )
    return found


def _server(url: str) -> dict[str, str]:
    """host, port, user, password and database of a DATABASE_URL (socket or TCP)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    return {
        "host": host,
        "port": str(parts.port or int(query.get("port", ["5432"])[0])),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/") or "postgres",
    }


def _run_as(host: str) -> str | None:
    if os.geteuid() != 0:
        return None
    if host.startswith("/"):
        return pwd.getpwuid(Path(host).stat().st_uid).pw_name
    return "nobody"


@contextlib.contextmanager
def pgbouncer(database_url: str) -> Iterator[dict[str, str]]:
    """Start PgBouncer in front of `database_url`; yields the environment for clients."""
    server = _server(database_url)
    user = _run_as(server["host"])
    run_dir = Path(tempfile.mkdtemp(prefix="fashionistar-pgbouncer-"))
    port = free_port()
    connect = f"host={server['host']} port={server['port']} user={server['user']}"
    if server["password"]:
        connect += f" password={server['password']}"
    (run_dir / "userlist.txt").write_text(f'"{server["user"]}" ""\n"{ADMIN_USER}" ""\n')
    (run_dir / "pgbouncer.ini").write_text(
        f"""[databases]
* = {connect}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {run_dir / "userlist.txt"}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 40
reserve_pool_size = 10
server_idle_timeout = 30
query_wait_timeout = 30
ignore_startup_parameters = extra_float_digits,options
admin_users = {ADMIN_USER}
logfile = {run_dir / "pgbouncer.log"}
pidfile = {run_dir / "pgbouncer.pid"}
"""
    )
    if user is not None:
        uid = pwd.getpwnam(user).pw_uid
        for path in (run_dir, *run_dir.iterdir()):
            os.chown(path, uid, -1)
    argv = [pgbouncer_binary(), *(["-u", user] if user else []), str(run_dir / "pgbouncer.ini")]
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=die_with_parent,
    )
    try:
        _wait_ready(port, process, run_dir)
        base = f"postgresql://{server['user']}@127.0.0.1:{port}"
        yield {
            "DATABASE_URL": f"{base}/{server['database']}",
            "DB_PGBOUNCER": "true",
            "TASK_LISTEN_DATABASE_URL": database_url,
            "PGBOUNCER_ADMIN_URL": f"postgresql://{ADMIN_USER}@127.0.0.1:{port}/pgbouncer",
        }
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # safe shutdown: waits for transactions
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(run_dir, ignore_errors=True)


def _wait_ready(port: int, process: subprocess.Popen[bytes], run_dir: Path) -> None:
    import psycopg

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with psycopg.connect(
                f"postgresql://{ADMIN_USER}@127.0.0.1:{port}/pgbouncer",
                autocommit=True,
                connect_timeout=1,
            ):
                return
        except psycopg.OperationalError:
            time.sleep(0.1)
    log = run_dir / "pgbouncer.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"PgBouncer did not start on port {port} (exit {process.poll()}):\n{tail}")


def main(argv: list[str] | None = None) -> int:
    command = list(sys.argv[1:] if argv is None else argv)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command or "DATABASE_URL" not in os.environ:
        print(
            "usage: DATABASE_URL=... python -m deploy.localstack.pgbouncer -- COMMAND",
            file=sys.stderr,
        )
        return 2
    with pgbouncer(os.environ["DATABASE_URL"]) as env:
        child = subprocess.run(command, env={**os.environ, **env}, cwd=REPO_ROOT, check=False)
        return child.returncode


if __name__ == "__main__":
    sys.exit(main())
