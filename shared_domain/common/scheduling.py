"""Periodic jobs: declared in `shared_domain.schedule.SCHEDULE`, fired by the scheduler
loop that every task worker process runs, which sleeps until the next tick
of any job (`seconds_until_next_tick`).

Only one process runs a pass at a time (a PostgreSQL advisory lock held for the pass's
transaction), and each job remembers the last cron tick it fired for
(`ScheduleState`), so a tick fires exactly once however many schedulers run, and a
scheduler that was down fires a missed tick once when it comes back (ticks that were
skipped are coalesced).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from shared_domain.common import metrics
from shared_domain.common.idempotency import try_advisory_xact_lock
from shared_domain.common.models import ScheduleState

SCHEDULER_LOCK = "fashionistar:scheduler"


@dataclasses.dataclass(frozen=True)
class PeriodicJob:
    name: str
    # Cron expression in UTC: five fields, or six with seconds last ("* * * * * */5").
    cron: str
    # Dotted path of the task to enqueue.
    task: str
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not croniter.is_valid(self.cron):
            raise ValueError(f"{self.name}: invalid cron expression {self.cron!r}")

    def latest_tick(self, now: datetime) -> datetime:
        """The most recent tick at or before `now`."""
        tick: datetime = croniter(self.cron, now + timedelta(microseconds=1)).get_prev(datetime)
        return tick

    def next_tick(self, now: datetime) -> datetime:
        """The first tick after `now`."""
        tick: datetime = croniter(self.cron, now).get_next(datetime)
        return tick


def configured_jobs() -> tuple[PeriodicJob, ...]:
    jobs: Iterable[PeriodicJob] = import_string(settings.PERIODIC_JOBS)
    return tuple(jobs)


def run_due_jobs(
    *, now: datetime | None = None, jobs: Iterable[PeriodicJob] | None = None
) -> list[str]:
    """One scheduler pass. Returns the names of the jobs it fired."""
    now = now or timezone.now()
    jobs = tuple(jobs if jobs is not None else configured_jobs())
    fired: list[str] = []
    with transaction.atomic():
        # The only writer of ScheduleState is this pass, and the advisory lock lets one
        # pass run at a time, so the rows need no row locks. A scheduler that finds the
        # lock taken skips its pass instead of queueing behind it.
        if not try_advisory_xact_lock(SCHEDULER_LOCK):
            return fired  # another scheduler is in its pass right now
        states = {
            state.name: state
            for state in ScheduleState.objects.filter(name__in=[job.name for job in jobs])
        }
        for job in jobs:
            tick = job.latest_tick(now)
            state = states.get(job.name)
            if state is None:
                # First sight of this job: start counting from now, fire at the next tick.
                ScheduleState.objects.create(name=job.name, last_tick=tick)
                continue
            if tick <= state.last_tick:
                continue
            result = import_string(job.task).enqueue(**dict(job.kwargs))
            state.last_tick = tick
            state.last_fired_at = now
            state.last_task_id = str(result.id)
            state.save(update_fields=["last_tick", "last_fired_at", "last_task_id"])
            metrics.SCHEDULED_JOBS_FIRED.labels(job.name).inc()
            fired.append(job.name)
    return fired


def seconds_until_next_tick(
    *, jobs: Iterable[PeriodicJob], now: datetime | None = None, at_most: float
) -> float:
    """How long a scheduler may sleep before a pass has something to fire: until the
    first next tick of any job, capped at `at_most` seconds."""
    now = now or timezone.now()
    ticks = [job.next_tick(now) for job in jobs]
    if not ticks:
        return at_most
    return max(0.0, min(at_most, (min(ticks) - now).total_seconds()))
