"""Database work from async code, with real concurrency.

Django's async ORM is `sync_to_async(thread_sensitive=True)` underneath: every call
of every request of a process goes through one thread, one after another. `run_db`
runs a sync function on the shared thread pool instead, on a connection of its own
(returned to the pool afterwards), so `asyncio.gather(run_db(a), run_db(b))` really
runs `a` and `b` at the same time, and concurrent requests do not queue behind each
other. The threads are a pool of their own, `DB_THREADS` per process (the event
loop's default executor has only cores + 4). A transactional service is called
through it as one unit (its transaction begins and ends inside the call, on that
call's connection), never piecemeal.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _db_executor() -> ThreadPoolExecutor:
    global _executor  # one pool per process, made on first use
    if _executor is None:
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(
                    max_workers=settings.DB_THREADS, thread_name_prefix="db"
                )
    return _executor


def _closing[**P, T](fn: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            # Back to the pool: executor threads are shared by every request.
            connections.close_all()

    return run


async def run_db[**P, T](fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    result: Any = await sync_to_async(
        _closing(fn), thread_sensitive=False, executor=_db_executor()
    )(*args, **kwargs)
    return result
