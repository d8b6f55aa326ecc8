"""The database worker as real processes: health port, SIGTERM, SIGKILL recovery,
restarts under the same id, concurrency, LISTEN/NOTIFY wake-ups, and several
schedulers at once."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from django.db.models.functions import TruncSecond
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from deploy.localstack.procs import free_port
from shared_domain.common.models import WorkerHeartbeat
from shared_domain.common.queues import using_rq
from shared_domain.common.tasks import ping
from tests.tasks import nap
from tests.workerproc import WorkerProcess, stop_all, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(using_rq(), reason="the database worker"),
]


def _has_status(result, status):
    result.refresh()
    return result.status == status


def _get(url):
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None


def _healthy(port):
    response = _get(f"http://127.0.0.1:{port}/healthz")
    return response is not None and response.status_code == 200


def _queue_depth(metrics_text, queue):
    found = re.search(
        rf'^fashionistar_task_queue_depth{{queue="{queue}"}} (\S+)$', metrics_text, re.MULTILINE
    )
    assert found, metrics_text
    return float(found.group(1))


def test_worker_process_serves_health_and_metrics(subprocess_env):
    port = free_port()
    with WorkerProcess(subprocess_env, health_port=port) as worker:
        assert wait_for(lambda: _healthy(port)), worker.output()
        result = ping.enqueue(message="metrics")
        assert wait_for(lambda: _has_status(result, TaskResultStatus.SUCCESSFUL))
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz")
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert _queue_depth(text, "default") == 0.0
        ping_series = '{queue="default",task="shared_domain.common.tasks.ping"}'
        assert f"fashionistar_tasks_succeeded_total{ping_series} 1.0" in text
        missing = httpx.get(f"http://127.0.0.1:{port}/nope")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"


def test_exported_queue_depth_counts_the_tasks_ready_now(subprocess_env):
    port = free_port()
    # This worker consumes `critical` only, so what is enqueued on `default` stays.
    with WorkerProcess(subprocess_env, "--queues", "critical", health_port=port) as worker:
        assert wait_for(lambda: _healthy(port)), worker.output()
        for n in range(3):
            ping.enqueue(message=str(n))
        ping.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()  # not ready
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert _queue_depth(text, "default") == 3.0
        assert _queue_depth(text, "critical") == 0.0
        assert DBTaskResult.objects.ready().filter(queue_name="default").count() == 3


def test_sigterm_lets_the_running_task_finish_and_takes_no_new_one(subprocess_env):
    running = nap.enqueue(seconds=1.5)
    queued_after = ping.enqueue(message="must stay queued")
    with WorkerProcess(subprocess_env, "--concurrency", "1") as worker:
        assert wait_for(lambda: _has_status(running, TaskResultStatus.RUNNING))
        worker.terminate()
        assert worker.wait(20) == 0, worker.output()
    running.refresh()
    queued_after.refresh()
    assert running.status == TaskResultStatus.SUCCESSFUL
    assert running.return_value == 1.5
    assert queued_after.status == TaskResultStatus.READY
    assert not WorkerHeartbeat.objects.exists()  # a clean exit gives its lease back


def test_task_of_a_worker_killed_mid_run_is_completed_by_another(subprocess_env):
    result = nap.enqueue(seconds=1.0)
    with WorkerProcess(subprocess_env, "--concurrency", "1", worker_id="doomed") as doomed:
        assert wait_for(lambda: _has_status(result, TaskResultStatus.RUNNING))
        doomed.kill()
    assert _has_status(result, TaskResultStatus.RUNNING)  # stranded, for now
    with WorkerProcess(subprocess_env, "--concurrency", "1", worker_id="rescuer"):
        # Lease 1.5 s in the tests; the rescuer's reaper runs every 3 heartbeats (0.6 s).
        assert wait_for(lambda: _has_status(result, TaskResultStatus.SUCCESSFUL), timeout=30)
    assert result.worker_ids == ["doomed", "rescuer"]
    assert result.return_value == 1.0


def test_worker_restarted_under_the_same_id_completes_what_its_killed_run_left(
    subprocess_env,
):
    result = nap.enqueue(seconds=1.0)
    with WorkerProcess(subprocess_env, "--concurrency", "1", worker_id="pod-0") as first:
        assert wait_for(lambda: _has_status(result, TaskResultStatus.RUNNING))
        first.kill()
    # The restarted process renews the lease of the id the dead run used: it must hand
    # that run's task back itself rather than wait for a lease that never runs out.
    with WorkerProcess(subprocess_env, "--concurrency", "1", worker_id="pod-0") as again:
        assert wait_for(lambda: _has_status(result, TaskResultStatus.SUCCESSFUL), timeout=30), (
            again.output()
        )
    assert result.worker_ids == ["pod-0", "pod-0"]


def test_concurrency_runs_tasks_in_parallel(subprocess_env):
    naps = [nap.enqueue(seconds=1.0) for _ in range(4)]
    with WorkerProcess(subprocess_env, "--concurrency", "4"):
        assert wait_for(
            lambda: all(_has_status(r, TaskResultStatus.SUCCESSFUL) for r in naps), timeout=30
        )
    # Parallel, not merely fast: every task started before the first one finished
    # (wall-clock limits would measure the machine's load, not the worker).
    assert max(r.started_at for r in naps) < min(r.finished_at for r in naps)


def test_a_committed_task_wakes_an_idle_worker_at_once(subprocess_env):
    port = free_port()
    with WorkerProcess(subprocess_env, "--poll-interval", "30", health_port=port):
        assert wait_for(lambda: _healthy(port))
        time.sleep(0.5)  # let it go idle on its 30 s poll
        started = time.monotonic()
        result = ping.enqueue(message="wake up")
        assert wait_for(lambda: _has_status(result, TaskResultStatus.SUCCESSFUL), timeout=10)
        assert time.monotonic() - started < 5.0


def test_a_task_handed_back_from_a_dead_worker_wakes_an_idle_worker(subprocess_env):
    stranded = nap.enqueue(seconds=0.1)
    DBTaskResult.objects.filter(id=stranded.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=5),
        worker_ids=["gone-worker"],
    )
    port = free_port()
    with WorkerProcess(subprocess_env, "--poll-interval", "30", health_port=port):
        assert wait_for(lambda: _healthy(port))
        started = time.monotonic()
        # Its reaper hands the task back within a few heartbeats (0.2 s each); the
        # hand-back itself must wake the idle threads, not their 30 s poll.
        assert wait_for(lambda: _has_status(stranded, TaskResultStatus.SUCCESSFUL), timeout=10)
        assert time.monotonic() - started < 5.0
    assert stranded.worker_ids[0] == "gone-worker"


def test_two_scheduler_processes_fire_each_tick_once(subprocess_env):
    env = {**subprocess_env, "PERIODIC_JOBS": "tests.schedule.FAST"}
    # Consuming `critical` only, they run nothing the schedule enqueues.
    schedulers = [
        WorkerProcess(env, "--queues", "critical", scheduler=True, worker_id=f"scheduler-{n}")
        for n in range(2)
    ]
    try:
        assert wait_for(lambda: WorkerHeartbeat.objects.count() == 2, timeout=20)
        assert wait_for(
            lambda: DBTaskResult.objects.filter(task_path="tests.tasks.tick").count() >= 4,
            timeout=30,
        )
        # Both took part the whole time: neither died and left the other alone.
        assert all(s.alive() for s in schedulers), [s.output() for s in schedulers]
        assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
            "scheduler-0",
            "scheduler-1",
        }
    finally:
        stop_all(schedulers)
    assert [s.proc.returncode for s in schedulers] == [0, 0]
    per_second = Counter(
        DBTaskResult.objects.filter(task_path="tests.tasks.tick")
        .annotate(second=TruncSecond("enqueued_at"))
        .values_list("second", flat=True)
    )
    # Fired roughly once a second, never twice for the same tick.
    assert per_second.most_common(1)[0][1] == 1, per_second
