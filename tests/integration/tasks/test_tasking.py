"""The task helper on the configured backend (run twice by `make test`: database and
RQ): results, request-id propagation, retries with backoff, permanent errors, dead
letters and their re-drive, priorities."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, transaction

from shared_domain.common import context, metrics, tasking
from shared_domain.common.errors import Conflict
from shared_domain.common.models import DeadLetter, IdempotencyKey, TaskLink
from shared_domain.common.queues import queue_depths, using_rq
from shared_domain.common.services import dead_letter_redrive
from shared_domain.common.tasking import META_KWARG, AppTask, enqueue_for_user, retry_delay
from tests import tasks
from tests.integration.tasks.conftest import db_only

pytestmark = pytest.mark.django_db(transaction=True)

BASE = settings.TASK_RETRY_BASE_DELAY
# RQ's scheduler keeps run times in whole seconds (it truncates): a retry may be due up
# to 1 s early there. On the database backend the delay is measured to the moment the
# failure was recorded, a few milliseconds after the retry was scheduled.
EARLY = 1.0 if using_rq() else 0.05


def _attempts(root_id):
    """Every attempt of a logical task, oldest first, as (link, refreshed result)."""
    links = [TaskLink(task_id=root_id, root_id=root_id, attempt=1)]
    links += list(
        TaskLink.objects.filter(root_id=root_id).exclude(task_id=root_id).order_by("attempt")
    )
    out = []
    for link in links:
        result = tasks.flaky.get_backend().get_result(link.task_id)
        out.append((link, result))
    return out


def _final(root_id):
    return _attempts(root_id)[-1][1]


def test_task_runs_and_stores_its_return_value(run_tasks):
    result = tasks.report_context.enqueue()
    run_tasks()
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"request_id": None, "attempt": 1}


def test_request_id_of_the_enqueuer_reaches_the_task(run_tasks):
    token = context.request_id.set("req-task-1")
    try:
        result = tasks.report_context.enqueue()
    finally:
        context.request_id.reset(token)
    run_tasks()
    result.refresh()
    assert result.return_value["request_id"] == "req-task-1"


def test_metadata_is_not_passed_to_the_task_function(run_tasks):
    result = tasks.urgent.enqueue("label")
    assert META_KWARG in result.kwargs
    run_tasks()
    result.refresh()
    assert result.return_value == "label"


def test_failing_twice_then_succeeding_ends_successful_on_attempt_three(run_tasks):
    first = tasks.flaky.enqueue(succeed_on=3)
    root = str(first.id)
    planned: dict[str, datetime] = {}  # retry id -> run_after, read while it waits
    # (RQ forgets a job's run_after once it has run)

    def succeeded():
        for link, result in _attempts(root):
            if result.status == "READY" and result.task.run_after is not None:
                planned.setdefault(link.task_id, result.task.run_after)
        return _final(root).status == "SUCCESSFUL"

    run_tasks(until=succeeded)
    attempts = _attempts(root)
    assert [link.attempt for link, _ in attempts] == [1, 2, 3]
    assert [r.status for _, r in attempts] == ["FAILED", "FAILED", "SUCCESSFUL"]
    assert attempts[-1][1].return_value == {"attempt": 3}
    # Each retry was scheduled BASE, then 2*BASE, after the failure before it, and did
    # not start before its time.
    for (_, failed), (link, retry), expected in zip(
        attempts[:-1], attempts[1:], (BASE, 2 * BASE), strict=True
    ):
        run_after = planned[link.task_id]
        delay = (run_after - failed.finished_at).total_seconds()
        assert expected - EARLY <= delay <= expected + 0.01, (expected, delay)
        assert retry.started_at >= run_after
    assert not DeadLetter.objects.exists()


def test_retry_delays_double():
    assert [retry_delay(n, 60) for n in (1, 2, 3)] == [60, 120, 240]


def test_permanent_error_is_not_retried_and_is_dead_lettered(run_tasks):
    result = tasks.rejects.enqueue(why="invalid payload")
    run_tasks()
    result.refresh()
    assert result.status == "FAILED"
    assert not TaskLink.objects.filter(root_id=str(result.id)).exists()
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.attempts, letter.error_message) == (
        "permanent",
        1,
        "invalid payload",
    )
    assert letter.error_class == "shared_domain.common.tasking.retry.PermanentTaskError"


def test_missing_object_is_permanent(run_tasks):
    tasks.missing_object.enqueue()
    run_tasks()
    assert DeadLetter.objects.get().reason == "permanent"


def test_exhausted_task_lands_in_dead_letters_with_its_arguments(run_tasks):
    before = metrics.TASKS_DEAD_LETTERED.labels("default", "tests.tasks.always_fails")._value.get()
    token = context.request_id.set("req-task-dead")
    try:
        first = tasks.always_fails.enqueue(label="smtp")
    finally:
        context.request_id.reset(token)
    run_tasks(until=lambda: DeadLetter.objects.exists())
    letter = DeadLetter.objects.get()
    assert letter.reason == "exhausted"
    assert letter.attempts == 3  # max_retries=2: the first run and two retries
    assert letter.kwargs == {"label": "smtp"}
    assert letter.root_task_id == str(first.id)
    assert letter.request_id == "req-task-dead"
    assert "ConnectionError: smtp is down" in letter.traceback
    after = metrics.TASKS_DEAD_LETTERED.labels("default", "tests.tasks.always_fails")._value.get()
    assert after == before + 1


def test_dead_letter_can_be_redriven_once(run_tasks):
    tasks.fails_unless_marked.enqueue(marker="fixed")
    run_tasks()
    letter = DeadLetter.objects.get()
    IdempotencyKey.objects.create(key="fixed")  # the cause got fixed
    new_id = dead_letter_redrive(dead_letter_id=letter.pk)
    run_tasks()
    redriven = tasks.fails_unless_marked.get_backend().get_result(new_id)
    assert redriven.status == "SUCCESSFUL"
    assert redriven.return_value == "fixed"
    letter.refresh_from_db()
    assert letter.redriven_task_id == new_id
    with pytest.raises(Conflict):
        dead_letter_redrive(dead_letter_id=letter.pk)


def test_redrive_command(run_tasks):
    tasks.fails_unless_marked.enqueue(marker="cmd")
    run_tasks()
    IdempotencyKey.objects.create(key="cmd")
    out = io.StringIO()
    call_command("redrive_dead_letters", "--all", stdout=out)
    assert "re-drove" in out.getvalue()
    run_tasks()
    assert DeadLetter.objects.get().redriven_at is not None
    assert sum(queue_depths().values()) == 0


def test_tasks_started_for_a_user_are_linked_to_them(run_tasks, django_user_model):
    user = django_user_model.objects.create_user("owner@example.com", "pw-123456789")
    result = enqueue_for_user(tasks.urgent, user.pk, "mine")
    link = TaskLink.objects.get(task_id=str(result.id))
    assert (link.owner_id, link.root_id, link.attempt) == (user.pk, str(result.id), 1)


@db_only
def test_higher_priority_queue_runs_first(run_tasks):
    from worker_service.runner import Worker

    tasks.slow_lane.enqueue("later")
    tasks.urgent.enqueue("first")
    claimed = Worker(queues=["critical", "analytics"], listen=False).claim_next()
    assert claimed is not None
    assert claimed.queue_name == "critical"


def test_each_task_lands_on_its_queue(run_tasks):
    tasks.slow_lane.enqueue("a")
    tasks.urgent.enqueue("b")
    tasks.urgent.enqueue("c")
    depths = queue_depths()
    assert (depths["analytics"], depths["critical"], depths["default"]) == (1, 2, 0)
    run_tasks()
    assert sum(queue_depths().values()) == 0


@db_only
def test_enqueue_inside_a_transaction_commits_with_it():
    with transaction.atomic():
        result = tasks.urgent.enqueue("x")
    assert tasks.urgent.get_backend().get_result(result.id).status == "READY"


def _waiting_tasks():
    """Tasks that are queued or scheduled for later, on either backend."""
    if using_rq():
        import django_rq
        from rq.registry import ScheduledJobRegistry

        return sum(
            django_rq.get_queue(name).count
            + ScheduledJobRegistry(queue=django_rq.get_queue(name)).count
            for name in settings.TASK_QUEUES
        )
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY").count()


@pytest.mark.parametrize("broken", ["enqueue", "link"])
def test_a_retry_that_cannot_be_enqueued_is_dead_lettered_with_the_task_s_own_error(
    run_tasks, monkeypatch, broken
):
    first = tasks.flaky.enqueue(succeed_on=2)
    if broken == "enqueue":
        original = AppTask.enqueue

        def enqueue(self, *args, **kwargs):
            if kwargs.get(META_KWARG, {}).get("attempt") == 2:
                raise OperationalError("the database went away")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(AppTask, "enqueue", enqueue)
    else:

        def link_task(**kwargs):
            raise OperationalError("the database went away")

        monkeypatch.setattr(tasking.lineage, "link_task", link_task)
    run_tasks()
    first.refresh()
    assert first.status == "FAILED"
    assert first.errors[-1].exception_class_path == "builtins.ConnectionError"
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.attempts, letter.root_task_id) == (
        "retry_failed",
        1,
        str(first.id),
    )
    assert letter.error_class == "builtins.ConnectionError"
    assert letter.kwargs == {"succeed_on": 2}
    # No retry was left behind without its link: nothing waits to run.
    assert _waiting_tasks() == 0
    assert not TaskLink.objects.exists()


def test_redriven_task_continues_the_lineage_with_a_fresh_retry_budget(run_tasks):
    first = tasks.retried_once.enqueue(label="smtp")
    run_tasks(until=lambda: DeadLetter.objects.exists())
    letter = DeadLetter.objects.get()
    assert letter.attempts == 2
    new_id = dead_letter_redrive(dead_letter_id=letter.pk)
    link = TaskLink.objects.get(task_id=new_id)
    assert (link.root_id, link.attempt) == (str(first.id), 3)
    run_tasks(until=lambda: DeadLetter.objects.count() == 2)
    # max_retries=1: the re-driven run got one retry of its own, as the first run did.
    again = DeadLetter.objects.exclude(pk=letter.pk).get()
    assert (again.reason, again.attempts, again.root_task_id) == ("exhausted", 4, str(first.id))
    attempts = TaskLink.objects.filter(root_id=str(first.id)).order_by("attempt")
    assert list(attempts.values_list("attempt", flat=True)) == [2, 3, 4]
