"""Redis clients for the cache, throttling, locks and pub/sub, whatever the topology.

REDIS_URL chooses a single node, a Sentinel-managed master or a Redis Cluster
(shared_domain.common.redis_url); `redis_client` builds the matching sync or asyncio
client and every Redis user goes through it. One client per process for sync code,
and one per event loop for async code (an asyncio connection cannot move between
loops). Timeouts are short: when Redis is down callers fail fast and degrade instead
of hanging, catching `REDIS_ERRORS`.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import RedisClusterException

from shared_domain.common.redis_url import parse_redis_url

# What a Redis call raises when the server (or the cluster) is unreachable or
# misbehaves. Cluster discovery errors are not RedisError subclasses.
REDIS_ERRORS: tuple[type[BaseException], ...] = (redis.RedisError, RedisClusterException, OSError)

_lock = threading.Lock()
_sync_client: Any = None
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
    weakref.WeakKeyDictionary()
)
_async_pubsub_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
    weakref.WeakKeyDictionary()
)


def redis_client(url: str, *, asynchronous: bool = False, **options: Any) -> Any:
    """A client for the topology `url` names: redis.Redis for a single node or a
    Sentinel master (found again after a failover), RedisCluster for a cluster;
    their redis.asyncio counterparts with `asynchronous=True`. `options` are connection
    options (timeouts, retry) applied to every node's connections."""
    topology = parse_redis_url(url)
    if topology.kind == "single":
        single = aioredis.Redis if asynchronous else redis.Redis
        return single.from_url(url, **options)
    if topology.kind == "sentinel":
        from redis.asyncio.sentinel import Sentinel as AsyncSentinel
        from redis.sentinel import Sentinel

        sentinel_class = AsyncSentinel if asynchronous else Sentinel
        sentinel_kwargs: dict[str, Any] = {
            key: options[key]
            for key in ("socket_timeout", "socket_connect_timeout")
            if key in options
        }
        if topology.sentinel_password:
            sentinel_kwargs["password"] = topology.sentinel_password
        sentinel = sentinel_class(
            list(topology.nodes), sentinel_kwargs=sentinel_kwargs, ssl=topology.ssl
        )
        return sentinel.master_for(
            topology.service_name, db=topology.db, **topology.credentials, **options
        )
    if asynchronous:
        from redis.asyncio.cluster import ClusterNode as AsyncClusterNode
        from redis.asyncio.cluster import RedisCluster as AsyncRedisCluster

        return AsyncRedisCluster(
            startup_nodes=[AsyncClusterNode(host, port) for host, port in topology.nodes],
            ssl=topology.ssl,
            **topology.credentials,
            **options,
        )
    from redis.cluster import ClusterNode, RedisCluster

    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in topology.nodes],
        ssl=topology.ssl,
        **topology.credentials,
        **options,
    )


def _options() -> dict[str, Any]:
    return {
        "socket_connect_timeout": settings.REDIS_SOCKET_TIMEOUT,
        "socket_timeout": settings.REDIS_SOCKET_TIMEOUT,
        "health_check_interval": 30,
    }


def get_redis() -> Any:
    """The process's sync client (redis.Redis or RedisCluster). A cluster client
    discovers its nodes when created, so call this inside the `REDIS_ERRORS` guard."""
    global _sync_client
    if _sync_client is None:
        with _lock:
            if _sync_client is None:
                _sync_client = redis_client(settings.REDIS_URL, **_options())
    return _sync_client


def get_async_redis() -> Any:
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        client = redis_client(settings.REDIS_URL, asynchronous=True, **_options())
        _async_clients[loop] = client
    return client


async def open_async_pubsub() -> Any:
    """A pub/sub object for a subscriber. Its client never reconnects behind the
    caller's back (redis-py would resubscribe silently and the messages published
    meanwhile would be lost unnoticed): a dropped connection raises, and the
    subscriber reconnects and catches up from its own record. Reads wait as long as
    `get_message(timeout=…)` says.

    On a cluster it is redis-py's ClusterPubSub: it subscribes on the node serving
    the channel's slot (which needs the slot map, so the client is initialized
    first), and PUBLISH on any node reaches subscribers on every node."""
    loop = asyncio.get_running_loop()
    client = _async_pubsub_clients.get(loop)
    if client is None:
        client = redis_client(
            settings.REDIS_URL, asynchronous=True, **_options(), retry=AsyncRetry(NoBackoff(), 0)
        )
        _async_pubsub_clients[loop] = client
    if parse_redis_url(settings.REDIS_URL).kind == "cluster":
        await client.initialize()  # a no-op once the slot map is known
    return client.pubsub(ignore_subscribe_messages=True)


def reset_clients() -> None:
    """Forget the clients (tests that point REDIS_URL elsewhere)."""
    global _sync_client
    with _lock:
        _sync_client = None
        _async_clients.clear()
        _async_pubsub_clients.clear()
