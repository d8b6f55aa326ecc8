from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shared_domain.analytics.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute every vendor's daily rollups from the orders history and the ledger."

    def handle(self, *args: Any, **options: Any) -> None:
        days = rollups_rebuild()
        if options["verbosity"]:
            self.stdout.write(f"Recomputed {days} vendor days.")
