"""Redis clients for the cache-adjacent features (throttling, locks, pub/sub).

One connection pool per process for sync code, and one client per event loop for
async code (an asyncio connection cannot move between loops). Timeouts are short:
when Redis is down callers fail fast and degrade instead of hanging.
"""

from __future__ import annotations

import asyncio
import threading
import weakref

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

_lock = threading.Lock()
_sync_client: redis.Redis | None = None
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)
_async_pubsub_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)


def get_redis() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        with _lock:
            if _sync_client is None:
                _sync_client = redis.Redis.from_url(
                    settings.REDIS_URL,
                    socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
                    socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
                    health_check_interval=30,
                )
    return _sync_client


def get_async_redis() -> aioredis.Redis:
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            health_check_interval=30,
        )
        _async_clients[loop] = client
    return client


def get_async_pubsub_redis() -> aioredis.Redis:
    """A client for pub/sub subscribers. It never reconnects behind the caller's back
    (redis-py would resubscribe silently and the messages published meanwhile would be
    lost unnoticed): a dropped connection raises, and the subscriber reconnects and
    catches up from its own record. Reads wait as long as `get_message(timeout=…)` says."""
    loop = asyncio.get_running_loop()
    client = _async_pubsub_clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            health_check_interval=30,
            retry=Retry(NoBackoff(), 0),
        )
        _async_pubsub_clients[loop] = client
    return client


def reset_clients() -> None:
    """Forget the clients (tests that point REDIS_URL elsewhere)."""
    global _sync_client
    with _lock:
        _sync_client = None
        _async_clients.clear()
        _async_pubsub_clients.clear()
