"""The worker loop against the real database: claiming, running, recording."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone

from shared_domain.common import metrics
from shared_domain.common.queues import queue_depths
from shared_domain.common.tasks import ping
from tests.tasks import explode
from worker_service.runner import Worker

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
    assert done.id
