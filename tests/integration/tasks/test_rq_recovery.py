"""Jobs whose RQ worker died (TASKS_BACKEND=rq): put back on their queue at most
TASK_MAX_RECLAIMS times, then dead-lettered; safe with several worker processes;
each failed job looked at once."""

from __future__ import annotations

import pytest
from django.conf import settings

from shared_domain.common.models import DeadLetter
from shared_domain.common.queues import using_rq
from tests import tasks
from worker_service.rq_runner import AbandonedJobRecovery

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not using_rq(), reason="RQ crash recovery (TASKS_BACKEND=rq)"),
]


def _queue(name):
    import django_rq
    from django_tasks_rq.backend import Job

    return django_rq.get_queue(name, job_class=Job)


def _abandon(result, *, reclaims=0):
    """Leave the job as a worker that died while running it would, and let RQ see it."""
    from rq.job import JobStatus

    queue = _queue(result.task.queue_name)
    job = queue.fetch_job(str(result.id))
    queue.remove(job)
    if reclaims:
        job.meta["reclaims"] = reclaims
        job.save_meta()
    job.set_status(JobStatus.STARTED)
    started = queue.started_job_registry
    queue.connection.zadd(started.key, {f"{job.id}:dead-execution": 1})
    started.cleanup()
    return job


def _failed_ids(name):
    return _queue(name).failed_job_registry.get_job_ids()


def test_an_abandoned_job_is_put_back_once_and_completes(run_tasks):
    result = tasks.urgent.enqueue("again")
    _abandon(result)
    assert _failed_ids("critical") == [str(result.id)]
    recovery = AbandonedJobRecovery(["critical"])
    assert recovery.run_once() == 1
    assert recovery.run_once() == 0
    job = _queue("critical").fetch_job(str(result.id))
    assert job.meta["reclaims"] == 1
    assert _failed_ids("critical") == []
    run_tasks()
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert [e.exception_class_path for e in result.errors] == ["rq.exceptions.AbandonedJobError"]


def test_a_job_abandoned_past_the_reclaim_limit_is_dead_lettered(run_tasks):
    result = tasks.urgent.enqueue("doomed")
    _abandon(result, reclaims=settings.TASK_MAX_RECLAIMS)
    assert AbandonedJobRecovery(["critical"]).run_once() == 0
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.task_path, letter.queue_name) == (
        "crashed",
        "tests.tasks.urgent",
        "critical",
    )
    assert (letter.root_task_id, letter.last_task_id, letter.args) == (
        str(result.id),
        str(result.id),
        ["doomed"],
    )
    assert _failed_ids("critical") == []  # not looked at again by any worker
    assert _queue("critical").count == 0
    result.refresh()
    assert result.status == "FAILED"


def test_a_job_another_worker_took_is_skipped_and_the_pass_goes_on(monkeypatch, run_tasks):
    from django_tasks_rq.backend import Job

    stolen = tasks.tick.enqueue()
    other = tasks.urgent.enqueue("other")
    _abandon(stolen)
    _abandon(other)
    mine = AbandonedJobRecovery(["default", "critical"])
    theirs = AbandonedJobRecovery(["default"])  # another worker process
    fetch_many = Job.fetch_many
    raced: list[int] = []

    def fetch_then_lose_the_race(job_ids, connection, serializer=None):
        jobs = fetch_many(job_ids, connection=connection, serializer=serializer)
        if not raced:
            raced.append(0)
            raced[0] = theirs.run_once()  # takes the default queue's job meanwhile
        return jobs

    monkeypatch.setattr(Job, "fetch_many", fetch_then_lose_the_race)
    assert mine.run_once() == 1  # the critical queue's job, after losing the other
    assert raced == [1]
    assert _queue("default").fetch_job(str(stolen.id)).meta["reclaims"] == 1
    assert _queue("critical").fetch_job(str(other.id)).meta["reclaims"] == 1
    assert (_queue("default").count, _queue("critical").count) == (1, 1)


def test_each_failed_job_is_examined_once(monkeypatch, run_tasks):
    from django_tasks_rq.backend import Job

    for n in range(3):
        tasks.explode.enqueue(message=f"boom {n}")
    run_tasks()
    assert len(_failed_ids("default")) == 3
    fetch_many = Job.fetch_many
    fetched: list[str] = []

    def counting(job_ids, connection, serializer=None):
        fetched.extend(job_ids)
        return fetch_many(job_ids, connection=connection, serializer=serializer)

    monkeypatch.setattr(Job, "fetch_many", counting)
    recovery = AbandonedJobRecovery(["default"])
    assert recovery.run_once() == 0
    assert len(fetched) == 3
    for _ in range(3):
        assert recovery.run_once() == 0
    assert len(fetched) == 3  # ordinary failures are not fetched again
    assert len(_failed_ids("default")) == 3  # and stay where RQ keeps failed jobs
