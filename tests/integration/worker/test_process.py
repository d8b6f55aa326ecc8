"""The database worker as real processes: health port, SIGTERM, SIGKILL recovery,
concurrency, LISTEN/NOTIFY wake-ups, and several schedulers at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest
from django.db.models.functions import TruncSecond
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from deploy.localstack.procs import free_port
from shared_domain.common.models import WorkerHeartbeat
from shared_domain.common.queues import using_rq
from shared_domain.common.tasks import ping
from tests.tasks import nap

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(using_rq(), reason="the database worker"),
]


def _start_worker(env, *extra, port=None, worker_id=None):
    argv = [
        sys.executable,
        "-m",
        "worker_service",
        "--health-port",
        str(port or 0),
        "--health-host",
        "127.0.0.1",
        "--no-scheduler",
        *extra,
    ]
    if worker_id:
        argv += ["--worker-id", worker_id]
    return subprocess.Popen(
        argv,
        env={**env, "DJANGO_SETTINGS_MODULE": "worker_service.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _has_status(result, status):
    result.refresh()
    return result.status == status


def _get(url):
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None


def _stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_worker_process_serves_health_and_metrics(subprocess_env):
    port = free_port()
    proc = _start_worker(subprocess_env, port=port)
    try:
        assert _wait_for(
            lambda: (r := _get(f"http://127.0.0.1:{port}/healthz")) and r.status_code == 200
        )
        result = ping.enqueue(message="metrics")
        assert _wait_for(lambda: _has_status(result, TaskResultStatus.SUCCESSFUL))
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz")
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        assert 'fashionistar_task_queue_depth{queue="default"} 0.0' in text
        ping_series = '{queue="default",task="shared_domain.common.tasks.ping"}'
        assert f"fashionistar_tasks_succeeded_total{ping_series} 1.0" in text
        missing = httpx.get(f"http://127.0.0.1:{port}/nope")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
    finally:
        _stop(proc)


def test_sigterm_lets_the_running_task_finish_and_takes_no_new_one(subprocess_env):
    running = nap.enqueue(seconds=1.5)
    queued_after = ping.enqueue(message="must stay queued")
    proc = _start_worker(subprocess_env, "--concurrency", "1")
    try:
        assert _wait_for(lambda: _has_status(running, TaskResultStatus.RUNNING))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        _stop(proc)
    running.refresh()
    queued_after.refresh()
    assert running.status == TaskResultStatus.SUCCESSFUL
    assert running.return_value == 1.5
    assert queued_after.status == TaskResultStatus.READY
    assert not WorkerHeartbeat.objects.exists()  # a clean exit gives its lease back


def test_task_of_a_worker_killed_mid_run_is_completed_by_another(subprocess_env):
    result = nap.enqueue(seconds=1.0)
    doomed = _start_worker(subprocess_env, "--concurrency", "1", worker_id="doomed")
    try:
        assert _wait_for(lambda: _has_status(result, TaskResultStatus.RUNNING))
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
    finally:
        _stop(doomed)
    assert _has_status(result, TaskResultStatus.RUNNING)  # stranded, for now
    rescuer = _start_worker(subprocess_env, "--concurrency", "1", worker_id="rescuer")
    try:
        # Lease 1.5 s in the tests; the rescuer's reaper runs every 3 heartbeats (0.6 s).
        assert _wait_for(lambda: _has_status(result, TaskResultStatus.SUCCESSFUL), timeout=30)
    finally:
        _stop(rescuer)
    assert result.worker_ids == ["doomed", "rescuer"]
    assert result.return_value == 1.0


def test_concurrency_runs_tasks_in_parallel(subprocess_env):
    naps = [nap.enqueue(seconds=1.0) for _ in range(4)]
    started = time.monotonic()
    proc = _start_worker(subprocess_env, "--concurrency", "4")
    try:
        assert _wait_for(
            lambda: all(_has_status(r, TaskResultStatus.SUCCESSFUL) for r in naps), timeout=30
        )
    finally:
        _stop(proc)
    elapsed = time.monotonic() - started
    assert elapsed < 3.5, f"4 one-second tasks on 4 threads took {elapsed:.1f}s"
    assert len({r.started_at.replace(microsecond=0) for r in naps}) <= 2


def test_a_committed_task_wakes_an_idle_worker_at_once(subprocess_env):
    port = free_port()
    proc = _start_worker(subprocess_env, "--poll-interval", "30", port=port)
    try:
        assert _wait_for(
            lambda: (r := _get(f"http://127.0.0.1:{port}/healthz")) and r.status_code == 200
        )
        time.sleep(0.5)  # let it go idle on its 30 s poll
        started = time.monotonic()
        result = ping.enqueue(message="wake up")
        assert _wait_for(lambda: _has_status(result, TaskResultStatus.SUCCESSFUL), timeout=10)
        assert time.monotonic() - started < 5.0
    finally:
        _stop(proc)


def test_two_scheduler_processes_fire_each_tick_once(subprocess_env):
    env = {**subprocess_env, "PERIODIC_JOBS": "tests.schedule.FAST"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "worker_service",
                "--health-port",
                "0",
                "--scheduler",
                "--queues",
                "critical",
            ],  # consume nothing the schedule enqueues
            env={**env, "DJANGO_SETTINGS_MODULE": "worker_service.settings"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        assert _wait_for(
            lambda: DBTaskResult.objects.filter(task_path="tests.tasks.tick").count() >= 4,
            timeout=30,
        )
    finally:
        for proc in procs:
            _stop(proc)
    per_second = Counter(
        DBTaskResult.objects.filter(task_path="tests.tasks.tick")
        .annotate(second=TruncSecond("enqueued_at"))
        .values_list("second", flat=True)
    )
    # Fired roughly once a second, never twice for the same tick.
    assert per_second.most_common(1)[0][1] == 1, per_second
