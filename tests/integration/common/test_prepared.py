"""PreparedRows: the SQL is built once, then run with the ids of each call."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from shared_domain.accounts.models import User
from shared_domain.common.prepared import AnyOf, PreparedRows
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
