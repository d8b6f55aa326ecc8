"""Enqueue a `ping` task and wait until a worker has run it.

Exit status 0 and the task result as JSON on stdout when it succeeded in time;
exit status 1 otherwise. Useful as a post-deploy smoke test of the worker fleet.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.tasks import TaskResultStatus

from shared_domain.common.tasks import ping


class Command(BaseCommand):
    help = "Enqueue a ping task and wait for a worker to finish it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait")
        parser.add_argument("--message", default="pong")

    def handle(self, *args: Any, timeout: float, message: str, **options: Any) -> None:
        result = ping.enqueue(message=message)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result.refresh()
            if result.status == TaskResultStatus.SUCCESSFUL:
                self.stdout.write(
                    json.dumps(
                        {
                            "task_id": str(result.id),
                            "status": result.status.value,
                            "worker_ids": list(result.worker_ids),
                            "return_value": result.return_value,
                        }
                    )
                )
                return
            if result.status == TaskResultStatus.FAILED:
                raise CommandError(f"ping task {result.id} failed: {result.errors}")
            time.sleep(0.2)
        raise CommandError(
            f"ping task {result.id} still {result.status.value} after {timeout}s: "
            "is a worker consuming the 'default' queue?"
        )
