"""Periodic jobs: one fire per tick however many schedulers run, no double fire
after a restart, missed ticks coalesced; the scheduler loop sleeps until a tick is
due and stops at once when asked."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from shared_domain.common.models import ScheduleState
from shared_domain.common.scheduling import PeriodicJob, run_due_jobs, seconds_until_next_tick
from shared_domain.schedule import SCHEDULE
from tests.concurrency import race
from worker_service import scheduler

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
    results = race(*[lambda: _fires(now=T0 + timedelta(minutes=1))] * 4)
    assert sorted(results) == [[], [], [], ["test-minutely"]]


def test_the_platform_schedule_is_valid():
    names = [job.name for job in SCHEDULE]
    assert len(names) == len(set(names))
    from django.utils.module_loading import import_string

    for job in SCHEDULE:
        assert hasattr(import_string(job.task), "enqueue"), job.task


def test_invalid_cron_is_refused():
    with pytest.raises(ValueError, match="invalid cron"):
        PeriodicJob(name="bad", cron="every tuesday", task="tests.tasks.tick")


def test_sleep_lasts_until_the_next_tick_of_any_job_within_a_bound():
    hourly = PeriodicJob(name="test-hourly", cron="0 * * * *", task="tests.tasks.tick")
    daily = PeriodicJob(name="test-daily", cron="15 3 * * *", task="tests.tasks.tick")
    at = T0  # 10:00:30
    assert seconds_until_next_tick(jobs=[EVERY_MINUTE, hourly], now=at, at_most=60) == 30
    assert seconds_until_next_tick(jobs=[hourly], now=at, at_most=3600) == 3570
    assert seconds_until_next_tick(jobs=[daily, hourly], now=at, at_most=60) == 60
    assert seconds_until_next_tick(jobs=[], now=at, at_most=60) == 60


def test_scheduler_loop_runs_a_pass_per_due_tick_and_stops_at_once(monkeypatch):
    passes: list[float] = []

    def counted(**kwargs):
        passes.append(time.monotonic())
        return run_due_jobs(**kwargs)

    monkeypatch.setattr(scheduler, "run_due_jobs", counted)
    monkeypatch.setattr(scheduler, "configured_jobs", lambda: (EVERY_MINUTE,))
    stopping = threading.Event()
    loop = threading.Thread(target=scheduler.run_scheduler, args=(stopping,))
    loop.start()
    try:
        time.sleep(1.5)
    finally:
        stopping.set()
        asked = time.monotonic()
        loop.join(5)
    assert not loop.is_alive()
    assert time.monotonic() - asked < 0.5
    # One pass at start, then asleep until the next minute (SCHEDULER_INTERVAL is 0.2 s
    # here, so a polling loop would have made about seven) - unless a minute began
    # during the test.
    assert 1 <= len(passes) <= 2, passes
