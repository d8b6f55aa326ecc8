"""Writes of inventory: stock of new variants, setting stock, and the stock orders
hold — reserved while unpaid, allocated once paid, taken off the shelf when shipped.

Inventory sits below the catalog and the orders: it takes variant ids, order ids and
plain numbers, never their objects. Every write that changes what orders hold locks
the stock rows involved with `SELECT … FOR UPDATE` in primary-key order (as Saleor's
`allocate_stocks`), so concurrent checkouts never oversell and never deadlock
whatever order their lines come in; the `stock_held_within_quantity` constraint is
the last line of defence. Inside a caller's transaction they take no savepoint of
their own: a failure fails the caller's unit as a whole, which is what each caller
wants (a checkout, a payment, a cancellation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, transaction

from shared_domain.common.errors import ValidationFailed
from shared_domain.inventory.errors import BelowAllocated, OutOfStock
from shared_domain.inventory.models import Reservation, Stock

MAX_STOCK = 1_000_000

# (variant id, units)
Line = tuple[int, int]


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
    """Set the units on hand; never below what orders hold (allocated + reserved)."""
    if problems := quantity_problems(quantity):
        raise ValidationFailed(details={"quantity": problems})
    stock = Stock.objects.select_for_update().filter(variant_id=variant_id).first()
    if stock is None:
        stock, _ = Stock.objects.get_or_create(variant_id=variant_id)
        stock = Stock.objects.select_for_update().get(pk=stock.pk)
    held = stock.allocated + stock.reserved
    if quantity < held:
        raise BelowAllocated(
            f"{held} units are held by orders; stock cannot go below that.",
            details={
                "allocated": stock.allocated,
                "reserved": stock.reserved,
                "quantity": quantity,
            },
        )
    stock.quantity = quantity
    stock.save(update_fields=["quantity", "updated_at"])
    return stock


def _locked(variant_ids: Iterable[int]) -> dict[int, Stock]:
    """The stock rows of these variants, locked in primary-key order."""
    rows = (
        Stock.objects.select_for_update(of=("self",))
        .filter(variant_id__in=set(variant_ids))
        .order_by("pk")
    )
    return {row.variant_id: row for row in rows}


def _merged(lines: Iterable[Line]) -> Counter[int]:
    units: Counter[int] = Counter()
    for variant_id, quantity in lines:
        units[variant_id] += quantity
    return units


def _save(stocks: Iterable[Stock], fields: list[str]) -> None:
    Stock.objects.bulk_update(list(stocks), [*fields, "updated_at"])


# Lock the rows in primary-key order (a materialised CTE: the locks follow its ORDER
# BY, not the update's own scan) and add the units to each row that has them.
_RESERVE = """
WITH wanted AS (
    SELECT * FROM unnest(%s::bigint[], %s::integer[]) AS w (variant_id, units)
), locked AS MATERIALIZED (
    SELECT s.id, s.quantity - s.allocated - s.reserved AS available
    FROM inventory_stock s WHERE s.variant_id IN (SELECT variant_id FROM wanted)
    ORDER BY s.id FOR UPDATE OF s
)
UPDATE inventory_stock s SET reserved = s.reserved + w.units, updated_at = now()
FROM locked, wanted w
WHERE s.id = locked.id AND w.variant_id = s.variant_id AND w.units <= locked.available
RETURNING s.variant_id
"""


@transaction.atomic(savepoint=False)
def stock_reserve(*, order_id: int, lines: Sequence[Line], expires_at: datetime) -> None:
    """Hold units of each variant for an unpaid order until `expires_at`, or raise
    OutOfStock (details: variant_id, requested, available) and hold nothing.

    One statement locks, checks and updates the stock rows; the caller's transaction
    is left unusable (rolled back) by the OutOfStock, so nothing half-held remains."""
    units = _merged(lines)
    variant_ids = sorted(units)
    with connection.cursor() as cursor:
        cursor.execute(_RESERVE, [variant_ids, [units[v] for v in variant_ids]])
        held = {row[0] for row in cursor.fetchall()}
    if len(held) < len(units):
        # Already locked by this transaction: what is left of the first short variant.
        stocks = {s.variant_id: s for s in Stock.objects.filter(variant_id__in=variant_ids)}
        variant_id = next(v for v in variant_ids if v not in held)
        stock = stocks.get(variant_id)
        available = stock.available if stock else 0
        raise OutOfStock(
            f"Only {max(available, 0)} left of this variant.",
            details={
                "variant_id": variant_id,
                "requested": units[variant_id],
                "available": available,
            },
        )
    Reservation.objects.bulk_create(
        Reservation(order_id=order_id, variant_id=v, quantity=q, expires_at=expires_at)
        for v, q in units.items()
    )


def _active_reservations(order_id: int) -> list[Reservation]:
    return list(
        Reservation.objects.select_for_update()
        .filter(order_id=order_id, status=Reservation.Status.ACTIVE)
        .order_by("pk")
    )


@transaction.atomic(savepoint=False)
def reservations_release(*, order_id: int) -> int:
    """Give back what an unpaid order held (cancelled or expired). Returns the units
    released; 0 when nothing is held any more (safe to call twice)."""
    held = _active_reservations(order_id)
    if not held:
        return 0
    stocks = _locked(r.variant_id for r in held)
    for reservation in held:
        stocks[reservation.variant_id].reserved -= reservation.quantity
        reservation.status = Reservation.Status.RELEASED
    _save(stocks.values(), ["reserved"])
    Reservation.objects.bulk_update(held, ["status", "updated_at"])
    return sum(r.quantity for r in held)


@transaction.atomic(savepoint=False)
def reservations_commit(*, order_id: int) -> int:
    """Payment arrived: what the order reserved becomes allocated (kept for it until
    shipped). Returns the units committed; 0 if nothing was reserved (safe twice)."""
    held = _active_reservations(order_id)
    if not held:
        return 0
    stocks = _locked(r.variant_id for r in held)
    for reservation in held:
        stock = stocks[reservation.variant_id]
        stock.reserved -= reservation.quantity
        stock.allocated += reservation.quantity
        reservation.status = Reservation.Status.COMMITTED
    _save(stocks.values(), ["reserved", "allocated"])
    Reservation.objects.bulk_update(held, ["status", "updated_at"])
    return sum(r.quantity for r in held)


@transaction.atomic(savepoint=False)
def allocations_release(*, lines: Sequence[Line]) -> None:
    """A paid order was cancelled before shipping: its allocated units are free again."""
    units = _merged(lines)
    stocks = _locked(units)
    for variant_id, quantity in units.items():
        stocks[variant_id].allocated -= quantity
    _save(stocks.values(), ["allocated"])


@transaction.atomic(savepoint=False)
def allocations_fulfil(*, lines: Sequence[Line]) -> None:
    """Allocated units left the warehouse: on hand and allocated go down together."""
    units = _merged(lines)
    stocks = _locked(units)
    for variant_id, quantity in units.items():
        stock = stocks[variant_id]
        stock.quantity -= quantity
        stock.allocated -= quantity
    _save(stocks.values(), ["quantity", "allocated"])


@transaction.atomic(savepoint=False)
def stock_restock(*, lines: Sequence[Line]) -> None:
    """Refunded units that had left the warehouse came back: on hand goes up."""
    units = _merged(lines)
    stocks = _locked(units)
    for variant_id, quantity in units.items():
        stocks[variant_id].quantity += quantity
    _save(stocks.values(), ["quantity"])
