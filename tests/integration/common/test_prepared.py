"""PreparedRows: the SQL is built once, then run with the ids of each call.
CompiledQueries: the SQL of each key is built once, the most recent kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from shared_domain.accounts.models import User
from shared_domain.common.prepared import AnyOf, CompiledQueries, PreparedRows
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_built_once_and_run_with_any_number_of_ids():
    users = CustomerFactory.create_batch(3)
    builds: list[list[int]] = []

    def build(ids: list[int]):
        builds.append(ids)
        return User.objects.filter(AnyOf(F("pk"), ids)).order_by("pk").values_list("pk", "email")

    rows = PreparedRows(build)
    with CaptureQueriesContext(connection) as queries:
        one = rows.rows([users[0].pk])
        three = rows.rows(u.pk for u in reversed(users))
        none = rows.rows([])
    assert one == [(users[0].pk, users[0].email)]
    assert three == [(u.pk, u.email) for u in users]
    assert none == []
    assert len(builds) == 1
    assert len(queries) == 3
    assert "= ANY(" in queries[0]["sql"]


def test_compiled_queries_build_each_key_once_and_keep_the_most_recent():
    users = CustomerFactory.create_batch(3)
    builds: list[int] = []

    def by_pk(pk: int):
        def build():
            builds.append(pk)
            return User.objects.filter(pk=pk).values_list("email")

        return build

    compiled = CompiledQueries(size=2)
    a, b, c = (u.pk for u in users)
    assert compiled.rows(a, by_pk(a)) == [(users[0].email,)]
    assert compiled.rows(b, by_pk(b)) == [(users[1].email,)]
    assert compiled.rows(a, by_pk(a)) == [(users[0].email,)]  # kept: no new build
    assert builds == [a, b]
    compiled.rows(c, by_pk(c))  # drops b, the least recently used
    assert len(compiled) == 2
    compiled.rows(a, by_pk(a))
    compiled.rows(b, by_pk(b))
    assert builds == [a, b, c, b]


def test_compiled_queries_read_fresh_rows_every_time():
    (user,) = CustomerFactory.create_batch(1)
    compiled = CompiledQueries(size=4)

    def build():
        return User.objects.filter(pk=user.pk).values_list("full_name")

    before = compiled.rows("me", build)
    User.objects.filter(pk=user.pk).update(full_name="Renamed")
    assert compiled.rows("me", build) == [("Renamed",)] != before


def test_compiled_queries_of_an_empty_result_set_run_nothing():
    compiled = CompiledQueries(size=4)
    with CaptureQueriesContext(connection) as queries:
        assert compiled.rows("none", lambda: User.objects.filter(pk__in=[])) == []
        assert compiled.rows("none", lambda: User.objects.filter(pk__in=[])) == []
    assert len(queries) == 0
