"""Writes of inventory: the stock of new variants and setting a variant's stock.

Inventory sits below the catalog: it takes variant ids and plain numbers, never
catalog objects, so it imports nothing from the catalog."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from shared_domain.common.errors import ValidationFailed
from shared_domain.inventory.errors import BelowAllocated
from shared_domain.inventory.models import Stock

MAX_STOCK = 1_000_000


def quantity_problems(quantity: object) -> list[str]:
    """What is wrong with a number of units on hand (nothing: an empty list)."""
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 0 <= quantity <= MAX_STOCK
    ):
        return [f"Enter a whole number from 0 to {MAX_STOCK}."]
    return []


def stock_create(*, quantities: Sequence[tuple[int, int]]) -> list[Stock]:
    """The stock rows of new variants: (variant id, units) pairs, units already checked."""
    return Stock.objects.bulk_create(
        [Stock(variant_id=variant_id, quantity=quantity) for variant_id, quantity in quantities]
    )


@transaction.atomic
def stock_set(*, variant_id: int, quantity: int) -> Stock:
    """Set the units on hand; never below what paid orders already hold."""
    if problems := quantity_problems(quantity):
        raise ValidationFailed(details={"quantity": problems})
    stock = Stock.objects.select_for_update().filter(variant_id=variant_id).first()
    if stock is None:
        stock, _ = Stock.objects.get_or_create(variant_id=variant_id)
        stock = Stock.objects.select_for_update().get(pk=stock.pk)
    if quantity < stock.allocated:
        raise BelowAllocated(
            f"{stock.allocated} units are allocated to orders; stock cannot go below that.",
            details={"allocated": stock.allocated, "quantity": quantity},
        )
    stock.quantity = quantity
    stock.save(update_fields=["quantity", "updated_at"])
    return stock
