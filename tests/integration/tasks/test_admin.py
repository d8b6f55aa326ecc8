"""Staff re-drive dead letters from the Django admin."""

from __future__ import annotations

import pytest

from shared_domain.common.models import DeadLetter, IdempotencyKey, TaskLink
from tests import tasks
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "/api/v1/admin/common/deadletter/"


def _redrive(client, *letters):
    return client.post(
        CHANGELIST,
        data={"action": "redrive", "_selected_action": [str(letter.pk) for letter in letters]},
        follow=True,
    )


def test_staff_redrive_dead_letters_from_the_admin(client, run_tasks):
    first = tasks.fails_unless_marked.enqueue(marker="admin-fixed")
    tasks.rejects.enqueue(why="still bad")
    run_tasks()
    fixed, still_bad = (
        DeadLetter.objects.get(task_path="tests.tasks.fails_unless_marked"),
        DeadLetter.objects.get(task_path="tests.tasks.rejects"),
    )
    IdempotencyKey.objects.create(key="admin-fixed")
    staff = StaffFactory.create(is_superuser=True)
    client.force_login(staff)
    listed = client.get(CHANGELIST)
    assert listed.status_code == 200
    assert b"Re-drive the selected dead letters" in listed.content

    response = _redrive(client, fixed, still_bad)
    assert response.status_code == 200
    assert "Re-drove 2 dead letter(s)." in [str(m) for m in response.context["messages"]]
    fixed.refresh_from_db()
    assert fixed.redriven_by_id == staff.pk
    assert fixed.redriven_at is not None
    link = TaskLink.objects.get(task_id=fixed.redriven_task_id)
    assert (link.root_id, link.attempt) == (str(first.id), 2)
    run_tasks()
    redriven = tasks.fails_unless_marked.get_backend().get_result(fixed.redriven_task_id)
    assert (redriven.status, redriven.return_value) == ("SUCCESSFUL", "admin-fixed")

    again = _redrive(client, fixed)  # already re-driven: nothing happens twice
    assert "Re-drove 0 dead letter(s)." in [str(m) for m in again.context["messages"]]
    assert DeadLetter.objects.filter(redriven_at__isnull=False).count() == 2


def test_non_staff_cannot_redrive(client, run_tasks):
    tasks.rejects.enqueue(why="bad")
    run_tasks()
    letter = DeadLetter.objects.get()
    client.force_login(CustomerFactory.create())
    response = _redrive(client, letter)
    assert "/login/" in response.redirect_chain[-1][0]
    letter.refresh_from_db()
    assert letter.redriven_at is None
