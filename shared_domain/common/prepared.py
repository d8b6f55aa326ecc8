"""Queries compiled once per process.

Building SQL is most of what a short ORM query costs in Python (a dozen `annotate`,
`values_list` and join steps, every call). A `PreparedRows` builds its queryset once,
with `AnyOf(F("pk"), ids)` standing for the ids of each call (`= ANY(%s)`: one array
parameter, whatever the number of ids), keeps the SQL and its parameters, and runs
that SQL with the ids of each call; PostgreSQL prepares it after a few runs on a
connection (DB_PREPARE_THRESHOLD). Rows come back as the driver returns them (no
`from_db_value` conversion): use it for columns psycopg already gives as Python
values (numbers, text, decimals, booleans, datetimes).

`CompiledQueries` does the same for querysets whose shape depends on more than ids
(a search's filters): the SQL of each distinct key is kept, the least recently used
dropped beyond a bound, so a repeated search runs its SQL without building it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
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
    def __init__(self, build: Callable[[list[Any]], QuerySet[Any, Any]]) -> None:
        self._build = build
        self._compiled: tuple[str, tuple[Any, ...], int, str] | None = None
        self._lock = threading.Lock()

    def _compile(self) -> tuple[str, tuple[Any, ...], int, str]:
        with self._lock:
            if self._compiled is None:
                marker: list[Any] = []
                queryset = self._build(marker)
                sql, params = queryset.query.sql_with_params()
                # The parameter that is the marker list itself (by identity).
                slot = next(i for i, param in enumerate(params) if param is marker)
                self._compiled = (sql, tuple(params), slot, queryset.db)
            return self._compiled

    def rows(self, ids: Iterable[Any]) -> list[tuple[Any, ...]]:
        sql, params, slot, alias = self._compiled or self._compile()
        bound = list(params)
        bound[slot] = list(ids)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, bound)
            return cursor.fetchall()


# The SQL of a queryset that cannot match anything (Django raises EmptyResultSet
# instead of compiling it).
_EMPTY = ("", (), "")


class CompiledQueries:
    """The SQL of `build()` per key, compiled on a key's first use and kept for the
    `size` most recently used keys. The key must determine the queryset entirely
    (every value `build` puts into it), and the queryset must not depend on the time
    of the call (no `timezone.now()` parameters: use the database's clock)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._compiled: OrderedDict[Hashable, tuple[str, tuple[Any, ...], str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._compiled)

    def _sql(
        self, key: Hashable, build: Callable[[], QuerySet[Any, Any]]
    ) -> tuple[str, tuple[Any, ...], str]:
        with self._lock:
            found = self._compiled.get(key)
            if found is not None:
                self._compiled.move_to_end(key)
                return found
        queryset = build()
        try:
            sql, params = queryset.query.sql_with_params()
            compiled = (sql, tuple(params), queryset.db)
        except EmptyResultSet:
            compiled = _EMPTY
        with self._lock:
            self._compiled[key] = compiled
            while len(self._compiled) > self.size:
                self._compiled.popitem(last=False)
        return compiled

    def rows(
        self, key: Hashable, build: Callable[[], QuerySet[Any, Any]]
    ) -> list[tuple[Any, ...]]:
        sql, params, alias = self._sql(key, build)
        if not sql:
            return []
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
