"""A fast schedule for scheduler tests (PERIODIC_JOBS=tests.schedule.FAST)."""

from shared_domain.common.scheduling import PeriodicJob

FAST = (PeriodicJob(name="test-every-second", cron="* * * * * *", task="tests.tasks.tick"),)
