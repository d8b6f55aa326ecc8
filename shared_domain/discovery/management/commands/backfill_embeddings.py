from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shared_domain.discovery.services import product_embeddings_backfill


class Command(BaseCommand):
    help = (
        "Compute the embeddings of every product on sale whose text changed since its "
        "embedding was stored (all of them the first time); drop those of products off sale."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=64)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        started = time.monotonic()
        result = product_embeddings_backfill(batch_size=max(1, batch_size))
        self.stdout.write(
            f"embeddings: {result.computed} computed, {result.unchanged} unchanged, "
            f"{result.removed} removed in {time.monotonic() - started:.1f}s"
        )
