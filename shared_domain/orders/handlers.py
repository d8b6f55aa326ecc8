"""Reactions to orders events (registered in OrdersConfig.ready)."""

from __future__ import annotations


def register() -> None:
    """Subscribe the orders context's handlers."""
