from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from django.core.asgi import get_asgi_application

from tests.integration.orders_api import customer, shop

__all__ = ["base_url", "customer", "queries", "shop"]


@pytest.fixture
def queries(monkeypatch):
    """The SQL every thread runs. v2 reads run on connections of their own (run_db),
    which django_assert_num_queries, watching the test thread's connection, misses."""
    from django.db.backends.utils import CursorWrapper

    seen: list[str] = []
    lock = threading.Lock()
    execute = CursorWrapper._execute_with_wrappers  # type: ignore[attr-defined]

    def counted(self, sql, params, many, executor):
        with lock:
            seen.append(sql)
        return execute(self, sql, params, many, executor)

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", counted)
    return seen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def base_url(redis_db) -> Iterator[str]:
    """The ASGI application served by uvicorn in a thread of this process."""
    port = _free_port()
    config = uvicorn.Config(
        get_asgi_application(), host="127.0.0.1", port=port, lifespan="off", log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
