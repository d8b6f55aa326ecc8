"""Re-drive dead letters: enqueue the tasks again with their original arguments."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shared_domain.common.errors import DomainError
from shared_domain.common.models import DeadLetter
from shared_domain.common.services import dead_letter_redrive


class Command(BaseCommand):
    help = "Re-drive dead letters (by id, by task, or all pending)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="dead letter ids")
        parser.add_argument("--task", help="every pending dead letter of this task path")
        parser.add_argument(
            "--all", action="store_true", dest="all_pending", help="every pending dead letter"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(
        self,
        *args: Any,
        ids: list[int],
        task: str | None,
        all_pending: bool,
        dry_run: bool,
        **options: Any,
    ) -> None:
        if not (ids or task or all_pending):
            raise CommandError("give dead letter ids, --task PATH or --all")
        pending = DeadLetter.objects.filter(redriven_at__isnull=True).order_by("pk")
        if ids:
            pending = pending.filter(pk__in=ids)
        if task:
            pending = pending.filter(task_path=task)
        failures = 0
        for letter in pending:
            if dry_run:
                self.stdout.write(f"would re-drive {letter.pk} {letter.task_path}")
                continue
            try:
                new_id = dead_letter_redrive(dead_letter_id=letter.pk)
            except DomainError as exc:
                failures += 1
                self.stderr.write(f"{letter.pk}: {exc.message}")
            else:
                self.stdout.write(f"re-drove {letter.pk} {letter.task_path} as task {new_id}")
        if failures:
            raise CommandError(f"{failures} dead letter(s) could not be re-driven")
