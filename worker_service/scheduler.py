"""The scheduler loop that worker processes run on both backends (`--scheduler`).

It runs a pass at once, then sleeps until the next tick of any periodic job, so a
replica costs one short transaction per tick rather than one per poll. The sleep is
capped (MAX_SLEEP) so that a pass which lost the race to a scheduler that then died
mid-pass, or a clock step, is caught up within a minute; it ends at once when the
process is asked to stop. A failed pass is retried after SCHEDULER_INTERVAL.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connection

from shared_domain.common.scheduling import (
    configured_jobs,
    run_due_jobs,
    seconds_until_next_tick,
)

logger = logging.getLogger("fashionistar.worker")

MAX_SLEEP = 60.0
# Wake just after the tick, not just before it (timers may fire a little early).
_TICK_MARGIN = 0.01


def run_scheduler(stopping: threading.Event) -> None:
    """Fire due periodic jobs until `stopping` is set."""
    jobs = configured_jobs()
    while not stopping.is_set():
        try:
            fired = run_due_jobs(jobs=jobs)
            if fired:
                logger.info("scheduler fired %s", ", ".join(fired), extra={"jobs": fired})
            delay = seconds_until_next_tick(jobs=jobs, at_most=MAX_SLEEP) + _TICK_MARGIN
        except Exception:
            logger.exception("scheduler pass failed; will retry")
            delay = settings.SCHEDULER_INTERVAL
        finally:
            connection.close()
        stopping.wait(delay)
