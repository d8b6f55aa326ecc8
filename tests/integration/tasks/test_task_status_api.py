"""GET /api/v{1,2}/tasks/{id}: status of a task, only for who started it (or staff)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_domain.accounts import services
from shared_domain.common.models import DeadLetter, IdempotencyKey, TaskLink
from shared_domain.common.selectors import task_status_for
from shared_domain.common.services import dead_letter_redrive
from shared_domain.common.tasking import enqueue_for_user
from tests import tasks
from tests.factories import PASSWORD, CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _access(user):
    return services.session_login(email=user.email, password=PASSWORD).tokens.access


def _get(client, path, user):
    return client.get(path, headers={"Authorization": f"Bearer {_access(user)}"})


def test_owner_sees_status_then_result(client, run_tasks):
    owner = CustomerFactory.create()
    result = enqueue_for_user(tasks.urgent, owner.pk, "report ready")
    ready = _get(client, f"/api/v1/tasks/{result.id}", owner)
    assert ready.status_code == 200
    assert ready.json()["status"] == "READY"
    assert ready.json()["result"] is None
    run_tasks()
    done = _get(client, f"/api/v1/tasks/{result.id}", owner).json()
    assert (done["status"], done["result"], done["task"]) == (
        "SUCCESSFUL",
        "report ready",
        "urgent",
    )
    assert done["finished_at"] is not None


def test_status_follows_retries_to_the_latest_attempt(client, run_tasks):
    owner = CustomerFactory.create()
    first = enqueue_for_user(tasks.flaky, owner.pk, succeed_on=2)
    run_tasks(
        until=lambda: (
            _get(client, f"/api/v1/tasks/{first.id}", owner).json()["status"] == "SUCCESSFUL"
        )
    )
    body = _get(client, f"/api/v1/tasks/{first.id}", owner).json()
    assert (body["id"], body["attempt"], body["result"]) == (str(first.id), 2, {"attempt": 2})


def test_status_reads_the_lineage_in_two_queries(run_tasks):
    owner = CustomerFactory.create()
    first = enqueue_for_user(tasks.flaky, owner.pk, succeed_on=3)
    run_tasks(until=lambda: TaskLink.objects.count() == 3)
    latest = TaskLink.objects.get(attempt=3).task_id
    for asked in (str(first.id), latest):
        with CaptureQueriesContext(connection) as queries:
            status = task_status_for(task_id=asked, user=owner)
        assert (status.id, status.attempt) == (str(first.id), 3)
        lineage_reads = [q for q in queries.captured_queries if "common_tasklink" in q["sql"]]
        assert len(lineage_reads) == 2


def test_failed_task_reports_the_error_class(client, run_tasks):
    owner = CustomerFactory.create()
    result = enqueue_for_user(tasks.rejects, owner.pk, why="no")
    run_tasks()
    body = _get(client, f"/api/v1/tasks/{result.id}", owner).json()
    assert (body["status"], body["error"]) == (
        "FAILED",
        "shared_domain.common.tasking.retry.PermanentTaskError",
    )


def test_status_by_the_original_id_follows_a_redriven_task(client, run_tasks):
    owner = CustomerFactory.create()
    first = enqueue_for_user(tasks.fails_unless_marked, owner.pk, marker="redrive-api")
    run_tasks()
    failed = _get(client, f"/api/v1/tasks/{first.id}", owner).json()
    assert (failed["status"], failed["attempt"]) == ("FAILED", 1)
    IdempotencyKey.objects.create(key="redrive-api")  # the cause got fixed
    dead_letter_redrive(dead_letter_id=DeadLetter.objects.get().pk)
    waiting = _get(client, f"/api/v1/tasks/{first.id}", owner).json()
    assert (waiting["id"], waiting["status"], waiting["attempt"]) == (str(first.id), "READY", 2)
    run_tasks()
    done = _get(client, f"/api/v1/tasks/{first.id}", owner).json()
    assert (done["status"], done["attempt"], done["result"]) == ("SUCCESSFUL", 2, "redrive-api")
    stranger = CustomerFactory.create()
    assert _get(client, f"/api/v1/tasks/{first.id}", stranger).status_code == 404


def test_other_users_get_404_and_staff_see_everything(client):
    owner, stranger, staff = (
        CustomerFactory.create(),
        CustomerFactory.create(),
        StaffFactory.create(),
    )
    result = enqueue_for_user(tasks.urgent, owner.pk, "x")
    hidden = _get(client, f"/api/v1/tasks/{result.id}", stranger)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    assert _get(client, f"/api/v1/tasks/{result.id}", staff).status_code == 200
    unlinked = tasks.urgent.enqueue("system task")
    assert _get(client, f"/api/v1/tasks/{unlinked.id}", owner).status_code == 404
    assert _get(client, f"/api/v1/tasks/{unlinked.id}", staff).status_code == 200


@pytest.mark.parametrize(
    "task_id", ["00000000-0000-0000-0000-000000000000", "nope", "x" * 80, "a;b"]
)
def test_unknown_or_malformed_ids_are_404(client, task_id):
    assert _get(client, f"/api/v1/tasks/{task_id}", StaffFactory.create()).status_code == 404


def test_anonymous_is_401(client):
    assert client.get("/api/v1/tasks/abc").status_code == 401


async def test_v2_task_status(async_client):
    owner = await sync_to_async(CustomerFactory.create)()
    result = await sync_to_async(enqueue_for_user)(tasks.urgent, owner.pk, "v2")
    token = await sync_to_async(_access)(owner)
    response = await async_client.get(
        f"/api/v2/tasks/{result.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "READY"
    stranger = await sync_to_async(CustomerFactory.create)()
    other = await sync_to_async(_access)(stranger)
    denied = await async_client.get(
        f"/api/v2/tasks/{result.id}", headers={"Authorization": f"Bearer {other}"}
    )
    assert denied.status_code == 404
    assert (await async_client.get(f"/api/v2/tasks/{result.id}")).status_code == 401
