"""Tasks of the common context."""

from __future__ import annotations

import os
import socket
from typing import Any

from django.tasks import task
from django.utils import timezone


@task(queue_name="default")
def ping(message: str = "pong") -> dict[str, Any]:
    """Round trip through the queue: proves a worker is consuming and can write results.
    Used by `manage.py worker_ping` (deploy smoke test) and the e2e tests."""
    return {
        "message": message,
        "worker_host": socket.gethostname(),
        "worker_pid": os.getpid(),
        "finished_at": timezone.now().isoformat(),
    }
