"""The worker loop against the real database: claiming, running, recording the
outcome through database failures, worker ids across restarts."""

from __future__ import annotations

import os
import socket
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shared_domain.common import metrics
from shared_domain.common.models import WorkerHeartbeat
from shared_domain.common.queues import queue_depths, reap_stale_tasks
from shared_domain.common.tasks import ping
from tests.tasks import explode, unstorable
from worker_service.runner import Worker, default_worker_id

pytestmark = pytest.mark.django_db(transaction=True)


def _worker(queues=("critical", "emails", "default", "ai", "analytics")):
    return Worker(queues=list(queues), poll_interval=0.01, worker_id="test-worker", listen=False)


def test_worker_runs_a_due_task_and_stores_its_result():
    result = ping.enqueue(message="hi")
    worker = _worker()
    claimed = worker.claim_next()
    assert claimed is not None
    assert str(claimed.id) == str(result.id)
    worker.execute(claimed)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["message"] == "hi"
    assert result.worker_ids == ["test-worker"]


def test_worker_ignores_queues_it_does_not_consume():
    ping.enqueue()
    assert _worker(queues=["critical"]).claim_next() is None
    assert _worker(queues=["default"]).claim_next() is not None


def test_deferred_task_waits_for_its_time():
    ping.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    assert _worker().claim_next() is None


def test_failing_task_is_recorded_with_its_traceback_and_counted():
    before = metrics.TASKS_FAILED.labels("default", "tests.tasks.explode")._value.get()
    result = explode.enqueue(message="kaput")
    worker = _worker()
    worker.execute(worker.claim_next())
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "builtins.ValueError"
    assert "kaput" in result.errors[0].traceback
    after = metrics.TASKS_FAILED.labels("default", "tests.tasks.explode")._value.get()
    assert after == before + 1


def test_concurrent_workers_never_claim_the_same_task():
    ids = {str(ping.enqueue(message=str(i)).id) for i in range(30)}
    claimed: list[str] = []
    lock = threading.Lock()

    def drain(n: int) -> None:
        worker = Worker(queues=["default"], poll_interval=0.01, worker_id=f"w{n}", listen=False)
        try:
            while (task := worker.claim_next()) is not None:
                with lock:
                    claimed.append(str(task.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=drain, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(ids)


def test_queue_depth_counts_only_tasks_ready_now():
    for _ in range(3):
        ping.enqueue()
    ping.using(queue_name="critical").enqueue()
    ping.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue()
    done = ping.using(queue_name="emails").enqueue()
    worker = _worker(queues=["emails"])
    worker.execute(worker.claim_next())
    assert queue_depths() == {"critical": 1, "emails": 0, "default": 3, "ai": 0, "analytics": 0}
    done.refresh()
    assert done.status == TaskResultStatus.SUCCESSFUL  # finished tasks are not counted


def test_worker_sends_the_django_task_signals():
    seen = []

    def started(sender, task_result, **kwargs):
        seen.append(("started", str(task_result.id), str(task_result.status)))

    def finished(sender, task_result, **kwargs):
        seen.append(("finished", str(task_result.id), str(task_result.status)))

    task_started.connect(started)
    task_finished.connect(finished)
    try:
        ok = ping.enqueue()
        failing = explode.enqueue()
        worker = _worker()
        for _ in range(2):
            worker.execute(worker.claim_next())
    finally:
        task_started.disconnect(started)
        task_finished.disconnect(finished)
    assert seen == [
        ("started", str(ok.id), "RUNNING"),
        ("finished", str(ok.id), "SUCCESSFUL"),
        ("started", str(failing.id), "RUNNING"),
        ("finished", str(failing.id), "FAILED"),
    ]


def _fail_once(monkeypatch, method):
    """Make DBTaskResult.<method> raise a connection error on its first call."""
    original = getattr(DBTaskResult, method)
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, method, flaky)
    return calls


@pytest.mark.parametrize(
    ("method", "task", "status"),
    [("set_successful", ping, "SUCCESSFUL"), ("set_failed", explode, "FAILED")],
)
def test_a_failed_outcome_write_is_retried_and_the_task_thread_lives_on(
    monkeypatch, method, task, status
):
    calls = _fail_once(monkeypatch, method)
    first = task.enqueue()
    second = ping.enqueue()
    worker = Worker(queues=["default"], poll_interval=0.05, listen=False, max_tasks=2)
    # One task thread: had it died with the first task, the second would never run.
    assert worker.run() == 0
    first.refresh()
    second.refresh()
    assert first.status == status
    assert len(calls) >= 2
    assert second.status == TaskResultStatus.SUCCESSFUL
    assert not WorkerHeartbeat.objects.exists()


def test_a_refused_return_value_is_recorded_as_a_failure():
    result = unstorable.enqueue()
    worker = _worker()
    worker.execute(worker.claim_next())
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "worker_service.runner.UnstorableOutcome"


def test_worker_exits_non_zero_when_a_task_thread_dies(monkeypatch):
    ping.enqueue()

    def broken(self, db_result):
        raise SystemExit("a bug escaped the task loop")

    monkeypatch.setattr(Worker, "execute", broken)
    worker = Worker(queues=["default"], poll_interval=0.05, listen=False)
    assert worker.run() == 1
    assert worker.failed.is_set()
    assert not WorkerHeartbeat.objects.exists()  # its tasks go back after the lease


def test_default_worker_ids_differ_between_starts_of_the_same_host_and_pid():
    ids = {default_worker_id() for _ in range(3)}
    assert len(ids) == 3
    base = f"{socket.gethostname()}-{os.getpid()}-"
    assert all(worker_id.startswith(base[:40]) and len(worker_id) <= 64 for worker_id in ids)


def test_a_restarted_worker_does_not_keep_the_dead_run_s_lease_alive():
    """A pod restarts its worker as PID 1 under the same hostname: the new process
    must not renew the lease under which the dead one left a task RUNNING."""
    result = ping.enqueue()
    dead = Worker(queues=["default"], listen=False)
    dead._beat(first=True)
    assert dead.claim_next() is not None  # ... and then the process was killed
    past = timezone.now() - timedelta(minutes=1)
    WorkerHeartbeat.objects.filter(worker_id=dead.worker_id).update(last_seen_at=past)
    DBTaskResult.objects.filter(id=result.id).update(started_at=past)
    restarted = Worker(queues=["default"], listen=False)  # same hostname, same pid
    restarted._beat(first=True)
    assert restarted.worker_id != dead.worker_id
    assert reap_stale_tasks() == 1
    result.refresh()
    assert result.status == TaskResultStatus.READY


@pytest.fixture
def listener():
    """A LISTENing connection to the test database: `heard()` returns the queues
    notified since the last call."""
    import psycopg

    from deploy.localstack.backing import database_url_for
    from shared_domain.common.tasking import NOTIFY_CHANNEL

    url = database_url_for(os.environ["DATABASE_URL"], connection.settings_dict["NAME"])
    if settings.DB_PGBOUNCER:
        # LISTEN needs a session of its own, which transaction pooling does not keep.
        url = settings.TASK_LISTEN_DATABASE_URL
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

        def heard() -> list[str]:
            return sorted(notice.payload for notice in conn.notifies(timeout=0.3))

        yield heard


def test_workers_are_notified_exactly_when_a_task_becomes_ready_now(listener):
    ping.using(run_after=timezone.now() + timedelta(minutes=1)).enqueue()
    assert listener() == []  # a deferred task (a retry) wakes nobody
    ping.using(queue_name="critical").enqueue()
    assert listener() == ["critical"]

    def rolled_back() -> None:
        with transaction.atomic():
            ping.enqueue()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert listener() == []
    stranded = ping.enqueue()
    assert listener() == ["default"]
    worker = _worker(queues=["default"])
    assert str(worker.claim_next().id) == str(stranded.id)
    assert listener() == []  # claiming is no news
    DBTaskResult.objects.filter(id=stranded.id).update(
        started_at=timezone.now() - timedelta(minutes=1)
    )
    assert reap_stale_tasks() == 1  # its worker has no lease: handed back
    assert listener() == ["default"]
