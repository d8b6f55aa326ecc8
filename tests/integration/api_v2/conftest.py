from __future__ import annotations

import threading

import pytest

from tests.integration.orders_api import customer, shop

__all__ = ["customer", "queries", "shop"]


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
