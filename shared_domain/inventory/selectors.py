"""Reads of inventory: what "in stock" means, in one place."""

from __future__ import annotations

from django.db.models import F, Q


def in_stock_q(prefix: str = "stock__") -> Q:
    """Variants with units to sell: quantity above what orders hold."""
    return Q(**{f"{prefix}quantity__gt": F(f"{prefix}allocated")})
