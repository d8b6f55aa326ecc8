"""The worker as a real process: health port, SIGTERM handling."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest
from django.tasks import TaskResultStatus

from deploy.localstack.procs import free_port
from shared_domain.common.tasks import ping
from tests.tasks import nap

pytestmark = pytest.mark.django_db(transaction=True)


def _start_worker(env, port):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "worker_service",
            "--health-host",
            "127.0.0.1",
            "--health-port",
            str(port),
            "--poll-interval",
            "0.05",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "worker_service.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
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


def test_worker_process_serves_health_and_metrics(subprocess_env):
    port = free_port()
    proc = _start_worker(subprocess_env, port)
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
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def test_sigterm_lets_the_running_task_finish_and_takes_no_new_one(subprocess_env):
    port = free_port()
    running = nap.enqueue(seconds=1.5)
    queued_after = ping.enqueue(message="must stay queued")
    proc = _start_worker(subprocess_env, port)
    try:
        assert _wait_for(lambda: _has_status(running, TaskResultStatus.RUNNING))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    running.refresh()
    queued_after.refresh()
    assert running.status == TaskResultStatus.SUCCESSFUL
    assert running.return_value == 1.5
    assert queued_after.status == TaskResultStatus.READY
