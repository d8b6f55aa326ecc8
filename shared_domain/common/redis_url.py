"""REDIS_URL names the Redis topology as well as the server (no Redis import here:
settings read it).

- `redis://[[user]:password@]host:port/db`, `rediss://…`, `unix://…`: one node.
- `redis+sentinel://[[user]:password@]host:port[,host:port…]/service_name[/db]`
  (`rediss+sentinel://` for TLS): the master of `service_name` as the sentinels
  report it, found again after a failover. The credentials are the master's; the
  sentinels' own password, when they have one, is `?sentinel_password=…`.
- `redis+cluster://[[user]:password@]host:port[,host:port…]` (`rediss+cluster://`):
  a Redis Cluster, reached through any of the listed nodes; database 0 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

Kind = Literal["single", "sentinel", "cluster"]

_SCHEMES: dict[str, tuple[Kind, bool]] = {
    "redis": ("single", False),
    "rediss": ("single", True),
    "unix": ("single", False),
    "redis+sentinel": ("sentinel", False),
    "rediss+sentinel": ("sentinel", True),
    "redis+cluster": ("cluster", False),
    "rediss+cluster": ("cluster", True),
}


class RedisUrlError(ValueError):
    pass


@dataclass(frozen=True)
class RedisTopology:
    kind: Kind
    url: str
    ssl: bool = False
    nodes: tuple[tuple[str, int], ...] = ()
    service_name: str = ""
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None

    @property
    def credentials(self) -> dict[str, Any]:
        return {"username": self.username, "password": self.password}


def _nodes(hosts: str, url: str) -> tuple[tuple[str, int], ...]:
    nodes = []
    for part in hosts.split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise RedisUrlError(f"{_redact(url)}: each node must be host:port")
        nodes.append((host.strip("[]"), int(port)))
    return tuple(nodes)


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    userinfo, at, hosts = rest.rpartition("@")
    if not at:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{hosts}"


def parse_redis_url(url: str) -> RedisTopology:
    """The topology REDIS_URL names; RedisUrlError when it names none."""
    scheme = url.partition("://")[0].lower()
    if scheme not in _SCHEMES:
        raise RedisUrlError(
            f"{_redact(url)}: use redis://, rediss://, unix://, redis+sentinel:// "
            "or redis+cluster://"
        )
    kind, ssl = _SCHEMES[scheme]
    if kind == "single":
        return RedisTopology(kind="single", url=url, ssl=ssl)
    # urlsplit cannot parse a netloc holding several hosts; split it by hand.
    parts = urlsplit(url)
    userinfo, at, hosts = parts.netloc.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    nodes = _nodes(hosts, url)
    path = [segment for segment in parts.path.split("/") if segment]
    query = parse_qs(parts.query)
    sentinel_password = query.get("sentinel_password", [None])[0]
    if kind == "sentinel":
        if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
            raise RedisUrlError(f"{_redact(url)}: the path is /service_name[/db]")
        return RedisTopology(
            kind="sentinel",
            url=url,
            ssl=ssl,
            nodes=nodes,
            service_name=unquote(path[0]),
            db=int(path[1]) if len(path) == 2 else 0,
            username=username,
            password=password,
            sentinel_password=sentinel_password,
        )
    if path and path != ["0"]:
        raise RedisUrlError(f"{_redact(url)}: a Redis Cluster has database 0 only")
    return RedisTopology(
        kind="cluster", url=url, ssl=ssl, nodes=nodes, username=username, password=password
    )


def rq_connection(url: str, *, socket_timeout: float) -> dict[str, Any]:
    """The connection part of a django-rq queue's settings for REDIS_URL.

    RQ needs a plain Redis connection: a single node, or the master that Sentinel
    names (django-rq's SENTINELS/MASTER_NAME). RQ does not support Redis Cluster:
    its jobs, queues and registries are separate keys updated together in MULTI
    transactions and scripts, and workers BLPOP several queues at once, so
    RedisUrlError says to use the database backend or a separate Redis there."""
    topology = parse_redis_url(url)
    if topology.kind == "single":
        return {"URL": url}
    if topology.kind == "cluster":
        raise RedisUrlError(
            "TASKS_BACKEND=rq cannot run on a Redis Cluster (RQ does not support it): "
            "use TASKS_BACKEND=db, or point RQ_REDIS_URL at a single node or Sentinel"
        )
    sentinel_kwargs: dict[str, Any] = {"socket_timeout": socket_timeout}
    if topology.sentinel_password:
        sentinel_kwargs["password"] = topology.sentinel_password
    return {
        "SENTINELS": list(topology.nodes),
        "MASTER_NAME": topology.service_name,
        "DB": topology.db,
        "USERNAME": topology.username,
        "PASSWORD": topology.password,
        "SOCKET_TIMEOUT": socket_timeout,
        "CONNECTION_KWARGS": {"ssl": True} if topology.ssl else {},
        "SENTINEL_KWARGS": sentinel_kwargs,
    }
