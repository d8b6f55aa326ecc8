"""Queries compiled once per process.

Building SQL is most of what a short ORM query costs in Python (a dozen `annotate`,
`values_list` and join steps, every call). A `PreparedRows` builds its queryset once,
with `AnyOf(F("pk"), ids)` standing for the ids of each call (`= ANY(%s)`: one array
parameter, whatever the number of ids), keeps the SQL and its parameters, and runs
that SQL with the ids of each call; PostgreSQL prepares it after a few runs on a
connection (DB_PREPARE_THRESHOLD). Rows come back as the driver returns them (no
`from_db_value` conversion): use it for columns psycopg already gives as Python
values (numbers, text, decimals, booleans, datetimes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections
from django.db.models import Lookup, QuerySet


class AnyOf(Lookup):
    """`lhs = ANY(rhs)`, the right-hand side one array parameter."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


class PreparedRows:
    def __init__(self, build: Callable[[list[int]], QuerySet[Any, Any]]) -> None:
        self._build = build
        self._compiled: tuple[str, tuple[Any, ...], int, str] | None = None
        self._lock = threading.Lock()

    def _compile(self) -> tuple[str, tuple[Any, ...], int, str]:
        with self._lock:
            if self._compiled is None:
                marker: list[int] = []
                queryset = self._build(marker)
                sql, params = queryset.query.sql_with_params()
                # The parameter that is the marker list itself (by identity).
                slot = next(i for i, param in enumerate(params) if param is marker)
                self._compiled = (sql, tuple(params), slot, queryset.db)
            return self._compiled

    def rows(self, ids: Iterable[int]) -> list[tuple[Any, ...]]:
        sql, params, slot, alias = self._compiled or self._compile()
        bound = list(params)
        bound[slot] = list(ids)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, bound)
            return cursor.fetchall()
