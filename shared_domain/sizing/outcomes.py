"""Fit outcomes and the per-product fit signal, kept from the orders context's events.

A delivered item counts as kept until a return says otherwise; a return as too small
or too large moves its units to that outcome (other reasons only take them off
`kept`). Each refresh reads the items' facts from the orders context and writes the
outcome rows as they now are, moving the product counters by the difference, under a
per-item lock: handlers run at least once and in any order, and a refresh run twice
changes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

from shared_domain.catalog.selectors import product_brands
from shared_domain.common.idempotency import lock_id
from shared_domain.common.prepared import AnyOf, PreparedRows
from shared_domain.orders import selectors as orders
from shared_domain.sizing.models import BodyProfile, FitOutcome, ProductFitSignal
from shared_domain.sizing.vectors import body_vector

# Verdict rule: at least this many units, and a side's returns at least this share of
# them and at least twice the other side's.
SIGNAL_MIN_UNITS = 5
SIGNAL_MIN_SHARE = 0.15


@transaction.atomic
def fit_outcomes_refresh(
    *, item_ids: Sequence[int] = (), vendor_order_id: int | None = None
) -> int:
    """Bring the outcomes of the delivered items named (or of all items of a vendor
    order) in line with their returns; returns how many rows changed."""
    facts = orders.delivered_item_fits(item_ids=item_ids, vendor_order_id=vendor_order_id)
    if not facts:
        return 0
    ids = sorted(f.item_id for f in facts)
    keys = sorted(lock_id(f"sizing:fit:{item_id}") for item_id in ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [keys])
    # Read again under the locks: a refresh that waited here must not write facts read
    # before the one it waited for committed.
    facts = orders.delivered_item_fits(item_ids=ids)
    existing = {o.order_item_id: o for o in FitOutcome.objects.filter(order_item_id__in=ids)}
    new = [f for f in facts if f.item_id not in existing]
    bodies = _bodies({f.customer_id for f in new})
    brands = product_brands(product_ids=sorted({f.product_id for f in new}))
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    created, changed = [], []
    for fact in facts:
        kept = fact.kept
        small, large = fact.returned.get("too_small", 0), fact.returned.get("too_large", 0)
        row = existing.get(fact.item_id)
        if row is None:
            row = FitOutcome(
                order_item_id=fact.item_id,
                customer_id=fact.customer_id,
                product_id=fact.product_id,
                vendor_id=fact.vendor_id,
                brand_key=brands.get(fact.product_id, "").strip().upper(),
                size_label=fact.size,
                body=bodies.get(fact.customer_id),
            )
            created.append(row)
        elif (row.kept, row.too_small, row.too_large) == (kept, small, large):
            continue
        else:
            changed.append(row)
        delta = deltas[fact.product_id]
        delta[0] += kept - row.kept
        delta[1] += small - row.too_small
        delta[2] += large - row.too_large
        row.kept, row.too_small, row.too_large = kept, small, large
    FitOutcome.objects.bulk_create(created)
    if changed:
        FitOutcome.objects.bulk_update(changed, ["kept", "too_small", "too_large", "updated_at"])
    _signals_move(deltas)
    return len(created) + len(changed)


def _bodies(customer_ids: set[int]) -> dict[int, list[float] | None]:
    profiles = BodyProfile.objects.filter(user_id__in=customer_ids)
    fields = ("height_cm", "chest_cm", "waist_cm", "hips_cm", "inseam_cm", "shoulder_cm")
    return {p.user_id: body_vector({name: getattr(p, name) for name in fields}) for p in profiles}


def _signals_move(deltas: dict[int, list[int]]) -> None:
    moved = {pid: d for pid, d in deltas.items() if any(d)}
    if not moved:
        return
    table = ProductFitSignal._meta.db_table
    products = sorted(moved)
    with connection.cursor() as cursor:
        cursor.execute(
            # The model's own table name, nothing from a caller.
            f"INSERT INTO {table} AS s (product_id, kept, too_small, too_large, updated_at) "  # noqa: S608  # nosec B608
            "SELECT p, k, sm, lg, now() "
            "FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[]) AS t(p, k, sm, lg) "
            "ON CONFLICT (product_id) DO UPDATE SET kept = s.kept + EXCLUDED.kept, "
            "too_small = s.too_small + EXCLUDED.too_small, "
            "too_large = s.too_large + EXCLUDED.too_large, updated_at = now()",
            [
                products,
                [moved[p][0] for p in products],
                [moved[p][1] for p in products],
                [moved[p][2] for p in products],
            ],
        )


@dataclass(frozen=True)
class FitSignal:
    verdict: str | None  # runs_small, true_to_size, runs_large; None: too few units
    returns_too_small: int
    returns_too_large: int
    kept: int


def fit_verdict(*, kept: int, too_small: int, too_large: int) -> str | None:
    total = kept + too_small + too_large
    if total < SIGNAL_MIN_UNITS:
        return None
    if too_small >= SIGNAL_MIN_SHARE * total and too_small >= 2 * too_large:
        return "runs_small"
    if too_large >= SIGNAL_MIN_SHARE * total and too_large >= 2 * too_small:
        return "runs_large"
    return "true_to_size"


# Read with every product detail on both APIs: compiled once per process.
_SIGNAL_ROWS = PreparedRows(
    lambda ids: ProductFitSignal.objects.filter(AnyOf(F("product_id"), ids)).values_list(
        "kept", "too_small", "too_large"
    )
)


def fit_signal_of_product(*, product_id: int) -> FitSignal:
    """The product's fit signal from its counters (one query)."""
    rows = _SIGNAL_ROWS.rows([product_id])
    kept, small, large = rows[0] if rows else (0, 0, 0)
    return FitSignal(
        verdict=fit_verdict(kept=kept, too_small=small, too_large=large),
        returns_too_small=small,
        returns_too_large=large,
        kept=kept,
    )
