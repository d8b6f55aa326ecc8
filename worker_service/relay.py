"""The outbox relay loop that worker processes run on both backends.

Every OUTBOX_RELAY_INTERVAL it dispatches the events whose handlers are still pending
past their grace period or retry backoff (shared_domain.common.outbox.relay_pass).
A full batch is followed at once by the next one. Its liveness is part of the
worker's /healthz: a relay that stopped going round makes the worker unhealthy.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connection

from shared_domain.common.events import bus
from shared_domain.common.outbox import relay_pass

logger = logging.getLogger("fashionistar.worker")

BATCH = 100


class OutboxRelay:
    def __init__(self) -> None:
        self.last_round = time.monotonic()
        self.dispatched = 0

    def run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            self.last_round = time.monotonic()
            taken = 0
            try:
                taken = relay_pass(bus, limit=BATCH)
                self.dispatched += taken
                if taken:
                    logger.info("outbox relay dispatched %d event(s)", taken)
            except Exception:
                logger.exception("outbox relay pass failed; will retry")
            finally:
                connection.close()
            if taken < BATCH:
                stopping.wait(settings.OUTBOX_RELAY_INTERVAL)

    def is_alive(self, *, stale_after: float) -> bool:
        # A pass runs handlers, which may take a while; a whole interval of silence
        # beyond stale_after means the loop is stuck or dead.
        return time.monotonic() - self.last_round < stale_after + settings.OUTBOX_RELAY_INTERVAL
