"""Rate limits with counters in Redis, shared by every process of every service.

Fixed windows: a key per (scope, identity, window), INCR'd atomically with its
expiry. The keys of one (scope, identity) share a hash tag, so on a Redis Cluster
they live in one slot and a script may use several of them (a sliding window reads
the previous window too) without a CROSSSLOT error. A limit is
"N/second|minute|hour|day". When Redis is unreachable the same fixed windows are
counted in this process's memory instead (logged, and counted by
fashionistar_throttle_errors_total for an alert): each process then allows up to
the full limit, so a client's budget is at most multiplied by the number of
processes, never lifted. THROTTLE_ENABLED=false switches every limit off, wherever
it is enforced.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from prometheus_client import Counter

from shared_domain.common import context
from shared_domain.common.errors import Throttled
from shared_domain.common.redis import REDIS_ERRORS, get_async_redis, get_redis

logger = logging.getLogger("fashionistar.throttling")

THROTTLED = Counter("fashionistar_throttled_total", "Requests refused by a rate limit.", ["scope"])
LIMITER_ERRORS = Counter(
    "fashionistar_throttle_errors_total",
    "Rate-limit checks counted in process memory because Redis failed.",
)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# INCR the window's counter, set its expiry on first use, return (count, ttl).
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'100/hour' -> Rate(100, 3600)."""
        count, _, unit = text.partition("/")
        if not unit or unit[0] not in _PERIODS or not count.isdigit():
            raise ValueError(f"invalid rate {text!r}: use N/second|minute|hour|day")
        return cls(limit=int(count), period=_PERIODS[unit[0]])


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0
    # The first refusal of a window (the count just passed the limit): alert once.
    first_refusal: bool = False


def client_ident() -> str:
    """The rate-limit identity of the client address; one shared bucket when unknown."""
    return context.client_ip.get() or "unknown"


def rate_for(scope: str) -> Rate:
    return Rate.parse(settings.THROTTLE_RATES[scope])


def digest(ident: str) -> str:
    """Identities (emails, addresses) are not stored in Redis in clear."""
    return hashlib.blake2b(ident.encode(), digest_size=12).hexdigest()


def _key(scope: str, ident: str, rate: Rate, now: float) -> str:
    window = int(now // rate.period)
    # Only the part in braces decides the cluster slot: every window of this
    # (scope, identity) lands on the same node.
    return f"rl:{{{scope}:{digest(ident)}}}:{window}"


def _decide(scope: str, rate: Rate, count: int, ttl: int, now: float) -> Decision:
    if count <= rate.limit:
        return Decision(allowed=True)
    THROTTLED.labels(scope).inc()
    retry = ttl if ttl > 0 else rate.period - int(now % rate.period)
    return Decision(
        allowed=False, retry_after=max(1, retry), first_refusal=count == rate.limit + 1
    )


class LocalWindows:
    """The fallback while Redis is unreachable: the same fixed-window counters, in this
    process's memory (thread-safe; expired windows dropped as they are passed)."""

    _MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def incr(self, key: str, period: int, now: float) -> tuple[int, int]:
        expires_at = (int(now // period) + 1) * period
        with self._lock:
            if len(self._counts) >= self._MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count, _ = self._counts.get(key, (0, expires_at))
            self._counts[key] = (count + 1, expires_at)
        return count + 1, max(1, int(expires_at - now))

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


local_windows = LocalWindows()


def _fallback(scope: str, key: str, rate: Rate, now: float, exc: BaseException) -> Decision:
    LIMITER_ERRORS.inc()
    logger.warning("rate limit %s counted in process memory, Redis failed: %s", scope, exc)
    count, ttl = local_windows.incr(key, rate.period, now)
    return _decide(scope, rate, count, ttl, now)


def hit(scope: str, ident: str) -> Decision:
    """Count one request of `ident` against `scope`'s rate."""
    if not settings.THROTTLE_ENABLED:
        return Decision(allowed=True)
    rate = rate_for(scope)
    now = time.time()
    key = _key(scope, ident, rate, now)
    try:
        count, ttl = get_redis().eval(_HIT, 1, key, rate.period)
    except REDIS_ERRORS as exc:
        return _fallback(scope, key, rate, now, exc)
    return _decide(scope, rate, int(count), int(ttl), now)


async def ahit(scope: str, ident: str) -> Decision:
    if not settings.THROTTLE_ENABLED:
        return Decision(allowed=True)
    rate = rate_for(scope)
    now = time.time()
    key = _key(scope, ident, rate, now)
    try:
        count, ttl = await get_async_redis().eval(_HIT, 1, key, rate.period)
    except REDIS_ERRORS as exc:
        return _fallback(scope, key, rate, now, exc)
    return _decide(scope, rate, int(count), int(ttl), now)


def enforce(scope: str, ident: str) -> None:
    decision = hit(scope, ident)
    if not decision.allowed:
        raise Throttled(retry_after=decision.retry_after, details={"scope": scope})


async def aenforce(scope: str, ident: str) -> None:
    decision = await ahit(scope, ident)
    if not decision.allowed:
        raise Throttled(retry_after=decision.retry_after, details={"scope": scope})
