"""Running calls at the same moment, each in its own thread with its own database
connection, for tests of what must hold under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Start the calls together; each one's result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def names(outcomes: list[Any]) -> list[str]:
    """Sorted outcome kinds: "ok" for a result, else the exception's class name."""
    return sorted("ok" if not isinstance(o, Exception) else type(o).__name__ for o in outcomes)
