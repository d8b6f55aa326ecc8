"""Recompute every product's search vector (after a bulk import or a config change)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shared_domain.catalog.search_index import search_vectors_refresh


class Command(BaseCommand):
    help = "Recompute the full-text search vector of every product."

    def handle(self, *args: Any, **options: Any) -> None:
        count = search_vectors_refresh()
        self.stdout.write(f"search vectors rebuilt for {count} products")
