"""Reads of inventory: what "in stock" and "available" mean, in one place. Other
contexts filter and annotate their variant rows with these expressions (`prefix` is
the path from those rows to their stock row), so the stock table's columns are named
only here."""

from __future__ import annotations

from django.db.models import F, IntegerField, Q, Value
from django.db.models.functions import Coalesce


def in_stock_q(prefix: str = "stock__") -> Q:
    """Variants with units to sell: on hand above what orders hold."""
    return Q(**{f"{prefix}quantity__gt": F(f"{prefix}allocated") + F(f"{prefix}reserved")})


def available_units(prefix: str = "stock__") -> Coalesce:
    """Units to sell: on hand minus what orders hold (allocated and reserved); 0
    without a stock row."""
    return Coalesce(
        F(f"{prefix}quantity") - F(f"{prefix}allocated") - F(f"{prefix}reserved"),
        Value(0),
        output_field=IntegerField(),
    )


def units_on_hand(prefix: str = "stock__") -> F:
    """Units on hand (to sum over variants, e.g. a product's total stock)."""
    return F(f"{prefix}quantity")


def units_allocated(prefix: str = "stock__") -> F:
    """Units held for paid orders not shipped yet."""
    return F(f"{prefix}allocated")


def units_reserved(prefix: str = "stock__") -> F:
    """Units held for unpaid orders."""
    return F(f"{prefix}reserved")
