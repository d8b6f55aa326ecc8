"""Scale-out on one machine: the scale demo (2 x v1, 2 x v2, three worker pools, two
schedulers behind Caddy) run small in a process of its own, and what it must show."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from deploy.localstack.backing import REPO_ROOT

pytestmark = pytest.mark.e2e

TICK_SECONDS = 4.0


@pytest.fixture(scope="module")
def report():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.scale_demo",
            "--json",
            "--requests=20",
            "--tasks-per-queue=10",
            f"--tick-seconds={TICK_SECONDS}",
            "--load-seconds=6",
            "--clients=4",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_ingress_spreads_requests_over_both_instances_of_each_api(report):
    assert report["spread"] == {"v1": {"v1-a": 10, "v1-b": 10}, "v2": {"v2-a": 10, "v2-b": 10}}


def test_every_task_of_a_burst_runs_exactly_once_on_its_pool(report):
    tasks = report["tasks"]
    assert tasks["tasks"] == 50
    assert (tasks["succeeded"], tasks["ran_once"]) == (50, 50)
    assert (tasks["ran_twice_or_more"], tasks["never_ran"]) == (0, 0)
    by_worker = tasks["by_worker"]
    assert by_worker["worker-default-a"] == 10
    assert by_worker["worker-batch-a"] == 20  # analytics + ai
    assert by_worker["worker-critical-a"] + by_worker["worker-critical-b"] == 20


def test_two_schedulers_fire_each_tick_once_and_one_survives_the_other(report):
    scheduler = report["scheduler"]
    before = scheduler["before_kill"]
    fired = sum(before["fired"].values())
    # One tick per second between the two (never one each), allowing a boundary tick.
    assert before["seconds"] - 2 <= fired <= before["seconds"] + 1
    after = scheduler["after_kill"]
    assert scheduler["killed"] not in after["fired"]
    assert sum(after["fired"].values()) >= after["seconds"] - 2


def test_killing_a_v2_instance_under_load_fails_no_request(report):
    failover = report["v2_failover"]
    assert failover["requests"] > 50
    assert failover["failed_after_health_check"] == 0, failover["failures"]
    # At most the requests in flight on the killed instance at that moment.
    assert failover["failed"] <= failover["in_flight"], failover["failures"]
    assert set(failover["served_after_kill"]) == {"v2-b"}
