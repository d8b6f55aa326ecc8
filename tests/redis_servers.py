"""Real Redis topologies for tests: a Sentinel-managed master with a replica, and a
three-master Cluster, each on free ports in a temporary directory, stopped
afterwards. `redis-server` and `redis-cli` must be on PATH (Debian's redis-server
runs a sentinel with `--sentinel`)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

SERVICE = "fashionistar"


def missing_binaries() -> str | None:
    """Why these topologies cannot run here, or None."""
    for binary in ("redis-server", "redis-cli"):
        if shutil.which(binary) is None:
            return f"{binary} is not on PATH"
    return None


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not on PATH")
    return path


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, with_cluster_bus: bool = False) -> int:
    """A free port; with `with_cluster_bus`, one whose cluster bus port (+10000) is a
    valid port and free as well."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not with_cluster_bus:
            return port
        if port + 10000 <= 65535 and _bindable(port + 10000):
            return port


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError, OSError):
            if condition():
                return
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


@dataclass
class Servers:
    """The processes started, stopped together."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, workdir: Path, port: int, *args: str) -> subprocess.Popen[bytes]:
        workdir.mkdir(parents=True, exist_ok=True)
        command = [
            _binary("redis-server"), *args,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", str(workdir),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(workdir / "redis.log"),
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        client = redis.Redis(port=port, socket_connect_timeout=0.2)

        def up() -> bool:
            if process.poll() is not None:
                log = workdir / "redis.log"
                tail = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"redis-server on {port} exited:\n{tail}")
            return bool(client.ping())

        try:
            wait_for(up, timeout=10, what=f"redis-server on {port}")
        finally:
            client.close()
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait(timeout=10)


@dataclass(frozen=True)
class SentinelSetup:
    url: str
    master_port: int
    replica_port: int
    sentinel_port: int


@contextlib.contextmanager
def sentinel_setup(workdir: Path) -> Iterator[SentinelSetup]:
    """A master, its replica and one sentinel watching them (quorum 1, fast failover)."""
    servers = Servers()
    master, replica, sentinel = free_port(), free_port(), free_port()
    try:
        servers.start(workdir / "master", master)
        servers.start(workdir / "replica", replica, "--replicaof", "127.0.0.1", str(master))
        config = workdir / "sentinel" / "sentinel.conf"
        config.parent.mkdir(parents=True)
        config.write_text(
            f"sentinel monitor {SERVICE} 127.0.0.1 {master} 1\n"
            f"sentinel down-after-milliseconds {SERVICE} 1000\n"
            f"sentinel failover-timeout {SERVICE} 5000\n"
        )
        servers.start(workdir / "sentinel", sentinel, str(config), "--sentinel")
        watcher = redis.Redis(port=sentinel, decode_responses=True)
        # A failover needs the sentinel to know the replica, and the replica in sync.
        wait_for(
            lambda: any(
                r.get("master-link-status") == "ok" for r in watcher.sentinel_slaves(SERVICE)
            ),
            timeout=15,
            what="the sentinel to see a synced replica",
        )
        watcher.close()
        yield SentinelSetup(
            url=f"redis+sentinel://127.0.0.1:{sentinel}/{SERVICE}/0",
            master_port=master,
            replica_port=replica,
            sentinel_port=sentinel,
        )
    finally:
        servers.stop()


@dataclass(frozen=True)
class ClusterSetup:
    url: str
    ports: tuple[int, ...]


@contextlib.contextmanager
def cluster_setup(workdir: Path) -> Iterator[ClusterSetup]:
    """Three masters sharing the 16384 slots, no replicas."""
    servers = Servers()
    ports = tuple(free_port(with_cluster_bus=True) for _ in range(3))
    try:
        for port in ports:
            servers.start(
                workdir / str(port),
                port,
                "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000",
            )  # fmt: skip
        command = [
            _binary("redis-cli"), "--cluster", "create",
            *(f"127.0.0.1:{port}" for port in ports),
            "--cluster-replicas", "0", "--cluster-yes",
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=30)
        for port in ports:
            node = redis.Redis(port=port, decode_responses=True)

            def cluster_ok(node: redis.Redis = node) -> bool:
                return bool(node.cluster("INFO")["cluster_state"] == "ok")

            wait_for(cluster_ok, timeout=15, what=f"cluster node {port} to be ok")
            node.close()
        yield ClusterSetup(
            url="redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in ports),
            ports=ports,
        )
    finally:
        servers.stop()
