"""Tasks that exist only for tests of the task machinery (workers, failures, timing)."""

from __future__ import annotations

import time

from django.tasks import task


@task(queue_name="default")
def explode(message: str = "kaput") -> None:
    raise ValueError(message)


@task(queue_name="default")
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
