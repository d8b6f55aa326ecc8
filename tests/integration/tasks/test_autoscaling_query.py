"""The SQL each worker pool's autoscaler runs (KEDA's PostgreSQL trigger) counts what
the pool has in hand: due READY tasks and RUNNING ones of its queues, nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone

from shared_domain.common.queues import backlog_sql, queue_depths
from tests import tasks
from tests.integration.tasks.conftest import db_only

pytestmark = [pytest.mark.django_db(transaction=True), db_only]


def _backlog(queues: list[str]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(backlog_sql(queues))
        return int(cursor.fetchone()[0])


def test_backlog_counts_due_and_running_tasks_of_the_pool_queues_only():
    from django_tasks_db.models import DBTaskResult

    tasks.urgent.enqueue("due")
    tasks.urgent.using(run_after=timezone.now() - timedelta(seconds=5)).enqueue("overdue")
    tasks.urgent.using(run_after=timezone.now() + timedelta(hours=1)).enqueue("later")
    running = tasks.urgent.enqueue("running")
    done = tasks.urgent.enqueue("done")
    tasks.slow_lane.enqueue("other pool")
    DBTaskResult.objects.filter(id=running.id).update(status=TaskResultStatus.RUNNING)
    DBTaskResult.objects.filter(id=done.id).update(status=TaskResultStatus.SUCCESSFUL)

    assert _backlog(["critical", "emails"]) == 3  # due, overdue, running
    assert _backlog(["analytics", "ai"]) == 1
    assert _backlog(["default"]) == 0
    # Without the RUNNING one it is the depth the workers export.
    assert _backlog(["critical"]) - 1 == queue_depths()["critical"]


def test_backlog_sql_refuses_unknown_queues():
    with pytest.raises(ValueError, match="unknown queue"):
        backlog_sql(["critical", "nope"])
