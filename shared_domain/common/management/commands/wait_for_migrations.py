"""Wait until the database has every migration this code knows, then exit 0.

The init container of each Deployment runs it, so pods of a new release start only
after that release's migration Job has finished (and pods of an older release, during
a rollback, start at once: a schema ahead of the code is what expand/contract
migrations are written for). Exit status 1 after --timeout.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


class Command(BaseCommand):
    help = "Wait until every migration of this code is applied."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks")

    def handle(self, *args: Any, timeout: float, interval: float, **options: Any) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                pending = unapplied_migrations()
            except OperationalError as exc:
                pending = [f"(database unavailable: {exc})"]
            finally:
                connections.close_all()
            if not pending:
                self.stdout.write("all migrations applied")
                return
            if time.monotonic() >= deadline:
                raise CommandError(f"still unapplied after {timeout:.0f}s: {', '.join(pending)}")
            self.stdout.write(f"waiting for {len(pending)} migration(s), e.g. {pending[0]}")
            time.sleep(interval)
