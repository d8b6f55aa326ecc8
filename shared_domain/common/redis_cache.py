"""Django's RedisCache on any Redis topology REDIS_URL names.

Django's RedisCacheClient builds plain redis.Redis pools from its LOCATION, so it
cannot follow a Sentinel failover or talk to a Cluster. This backend keeps Django's
behaviour (serializer, key handling) and takes its client from `redis_client`. On a
cluster the many-key operations are split by slot (MGET/MSET would refuse keys of
different slots, and spreading the cache over every node is the point of a cluster):
`get_many`/`set_many` are then not atomic, which a cache does not need.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from shared_domain.common.redis import redis_client
from shared_domain.common.redis_url import parse_redis_url

# One client per (location, options) per process: Django makes a cache object per
# thread, and every one of them should share the same connection pools.
_clients: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}
_lock = threading.Lock()


class TopologyCacheClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        if len(servers) != 1:
            raise ValueError("LOCATION is one REDIS_URL (Sentinel and Cluster URLs list nodes)")
        self._url = servers[0]
        self._cluster = parse_redis_url(self._url).kind == "cluster"
        django_client: Any = self  # django-stubs omit the private attributes read here
        self._codec = django_client._serializer
        # The OPTIONS given (timeouts…), without Django's parser and driver naming,
        # which only a plain ConnectionPool takes.
        self._options = {
            key: value
            for key, value in django_client._pool_options.items()
            if key not in {"parser_class", "driver_info", "lib_name"}
        }

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        cache_key = (self._url, tuple(sorted((k, repr(v)) for k, v in self._options.items())))
        client = _clients.get(cache_key)
        if client is None:
            with _lock:
                client = _clients.get(cache_key)
                if client is None:
                    client = redis_client(self._url, **self._options)
                    _clients[cache_key] = client
        return client

    def get_many(self, keys: Iterable[Any]) -> dict[Any, Any]:
        if not self._cluster:
            return super().get_many(keys)
        keys = list(keys)
        values = self.get_client(None).mget_nonatomic(keys)
        found = zip(keys, values, strict=True)
        return {key: self._codec.loads(value) for key, value in found if value is not None}

    def set_many(self, data: Mapping[Any, Any], timeout: Any) -> None:
        if not self._cluster:
            super().set_many(data, timeout)
            return
        # A cluster pipeline sends each command to the node owning its key.
        pipeline = self.get_client(None, write=True).pipeline()
        for key, value in data.items():
            pipeline.set(key, self._codec.dumps(value), ex=timeout)
        pipeline.execute()


class TopologyRedisCache(RedisCache):
    """settings.CACHES BACKEND: `shared_domain.common.redis_cache.TopologyRedisCache`,
    LOCATION: REDIS_URL (any form redis_url accepts)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # The whole URL: a Sentinel or Cluster URL separates its nodes by commas.
        self._servers = [server] if isinstance(server, str) else list(server)
        self._class = TopologyCacheClient


def reset_cache_clients() -> None:
    """Forget the clients (tests that point the cache elsewhere)."""
    with _lock:
        _clients.clear()
