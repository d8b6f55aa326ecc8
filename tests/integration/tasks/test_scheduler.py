"""Periodic jobs: one fire per tick however many schedulers run, no double fire
after a restart, missed ticks coalesced."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from shared_domain.common.models import ScheduleState
from shared_domain.common.scheduling import PeriodicJob, run_due_jobs
from shared_domain.schedule import SCHEDULE

pytestmark = pytest.mark.django_db(transaction=True)

EVERY_MINUTE = PeriodicJob(name="test-minutely", cron="* * * * *", task="tests.tasks.tick")
T0 = datetime(2026, 11, 22, 10, 0, 30, tzinfo=UTC)


def _fires(job=EVERY_MINUTE, now=T0):
    return run_due_jobs(now=now, jobs=[job])


def test_first_sight_registers_the_job_without_firing():
    assert _fires() == []
    assert ScheduleState.objects.get(name="test-minutely").last_tick == T0.replace(second=0)


def test_each_tick_fires_once():
    _fires(now=T0)
    assert _fires(now=T0 + timedelta(seconds=40)) == ["test-minutely"]  # 10:01:10
    assert _fires(now=T0 + timedelta(seconds=50)) == []  # still the 10:01 tick
    assert _fires(now=T0 + timedelta(seconds=95)) == ["test-minutely"]  # 10:02:05
    state = ScheduleState.objects.get(name="test-minutely")
    assert state.last_tick == datetime(2026, 11, 22, 10, 2, tzinfo=UTC)
    assert state.last_task_id


def test_missed_ticks_fire_once_after_a_restart():
    _fires(now=T0)
    later = T0 + timedelta(hours=3)  # the scheduler was down for three hours
    assert _fires(now=later) == ["test-minutely"]
    assert _fires(now=later) == []  # a restarted scheduler does not fire it again


def test_concurrent_schedulers_fire_a_tick_once():
    _fires(now=T0)
    results: list[list[str]] = []
    barrier = threading.Barrier(4)

    def scheduler() -> None:
        try:
            barrier.wait()
            results.append(_fires(now=T0 + timedelta(minutes=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(fired) for fired in results) == [0, 0, 0, 1]


def test_the_platform_schedule_is_valid():
    names = [job.name for job in SCHEDULE]
    assert len(names) == len(set(names))
    from django.utils.module_loading import import_string

    for job in SCHEDULE:
        assert hasattr(import_string(job.task), "enqueue"), job.task


def test_invalid_cron_is_refused():
    with pytest.raises(ValueError, match="invalid cron"):
        PeriodicJob(name="bad", cron="every tuesday", task="tests.tasks.tick")
