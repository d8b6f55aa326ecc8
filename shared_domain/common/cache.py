"""Caching that never breaks a request: when Redis is unreachable the value is
computed as if it were not cached (and the failure logged), instead of a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache

from shared_domain.common.redis import REDIS_ERRORS

logger = logging.getLogger("fashionistar.cache")

_MISSING = object()


def cached[T](key: str, compute: Callable[[], T], *, timeout: int) -> T:
    try:
        value = cache.get(key, _MISSING)
    except REDIS_ERRORS as exc:
        logger.warning("cache read of %s failed (%s); computing", key, exc)
        return compute()
    if value is not _MISSING:
        return value
    value = compute()
    try:
        cache.set(key, value, timeout)
    except REDIS_ERRORS as exc:
        logger.warning("cache write of %s failed (%s)", key, exc)
    return value


def forget(key: str) -> None:
    try:
        cache.delete(key)
    except REDIS_ERRORS as exc:
        logger.warning("cache delete of %s failed (%s)", key, exc)
