"""The worker deployable on the RQ backend, as a real process (TASKS_BACKEND=rq)."""

from __future__ import annotations

import pytest

from shared_domain.common.queues import using_rq
from shared_domain.common.tasks import ping
from tests.tasks import nap
from tests.workerproc import WorkerProcess, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not using_rq(), reason="the RQ worker (TASKS_BACKEND=rq)"),
]


def _worker(env):
    return WorkerProcess(env, "--concurrency", "1", extra_env={"RQ_JOB_MONITORING_INTERVAL": "1"})


def _status(result):
    result.refresh()
    return result.status


def test_rq_worker_runs_tasks_and_stops_warmly_on_sigterm(subprocess_env, redis_db):
    with _worker(subprocess_env) as worker:
        done = ping.enqueue(message="rq")
        assert wait_for(lambda: _status(done) == "SUCCESSFUL", timeout=20), worker.output()
        running = nap.enqueue(seconds=1.5)
        assert wait_for(lambda: _status(running) == "RUNNING", timeout=20)
        worker.terminate()
        assert worker.wait(30) == 0
    assert _status(running) == "SUCCESSFUL"


def test_job_of_a_killed_rq_worker_is_put_back_and_completed(subprocess_env, redis_db):
    result = nap.enqueue(seconds=1.0)
    with _worker(subprocess_env) as doomed:
        assert wait_for(lambda: _status(result) == "RUNNING", timeout=20)
        doomed.kill()
    with _worker(subprocess_env) as rescuer:
        # RQ declares the job abandoned 60 s after its last heartbeat (interval 1 s here).
        assert wait_for(lambda: _status(result) == "SUCCESSFUL", timeout=120, every=0.1), (
            rescuer.output()
        )
    # It ran twice: the killed attempt left an AbandonedJobError behind.
    assert any("AbandonedJobError" in e.traceback for e in result.errors)
