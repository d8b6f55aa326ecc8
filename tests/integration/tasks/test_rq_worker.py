"""The worker deployable on the RQ backend, as a real process (TASKS_BACKEND=rq)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from shared_domain.common.queues import using_rq
from shared_domain.common.tasks import ping
from tests.tasks import nap

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not using_rq(), reason="the RQ worker (TASKS_BACKEND=rq)"),
]


def _start(env):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "worker_service",
            "--health-port",
            "0",
            "--concurrency",
            "1",
            "--no-scheduler",
        ],
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "worker_service.settings",
            "RQ_JOB_MONITORING_INTERVAL": "1",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _status(result):
    result.refresh()
    return result.status


def test_rq_worker_runs_tasks_and_stops_warmly_on_sigterm(subprocess_env, redis_db):
    proc = _start(subprocess_env)
    try:
        done = ping.enqueue(message="rq")
        assert _wait_for(lambda: _status(done) == "SUCCESSFUL", timeout=20)
        running = nap.enqueue(seconds=1.5)
        assert _wait_for(lambda: _status(running) == "RUNNING", timeout=20)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert _status(running) == "SUCCESSFUL"


def test_job_of_a_killed_rq_worker_is_put_back_and_completed(subprocess_env, redis_db):
    result = nap.enqueue(seconds=1.0)
    doomed = _start(subprocess_env)
    try:
        assert _wait_for(lambda: _status(result) == "RUNNING", timeout=20)
        # The work-horse runs in a process group of its own: kill it and its worker,
        # as losing the machine would.
        for child in psutil.Process(doomed.pid).children(recursive=True):
            child.kill()
        doomed.kill()
        doomed.wait(10)
    finally:
        if doomed.poll() is None:
            os.killpg(doomed.pid, signal.SIGKILL)
    rescuer = _start(subprocess_env)
    try:
        # RQ declares the job abandoned 60 s after its last heartbeat (interval 1 s here).
        assert _wait_for(lambda: _status(result) == "SUCCESSFUL", timeout=120)
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(30)
    # It ran twice: the killed attempt left an AbandonedJobError behind.
    assert any("AbandonedJobError" in e.traceback for e in result.errors)
