"""What the orders context needs to sell a variant: its snapshot (title, SKU, size,
colour, price, vendor) and whether it can be bought now, for many variants in one
query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from shared_domain.catalog.models import Product, ProductVariant
from shared_domain.common.prepared import AnyOf, PreparedRows
from shared_domain.inventory.selectors import available_units


@dataclass(frozen=True)
class VariantForSale:
    variant_id: int
    product_id: int
    vendor_id: int
    title: str
    sku: str
    size: str
    colour: str
    unit_price: Decimal
    currency: str
    # The variant and its product are on sale (active).
    on_sale: bool
    # Units to sell now (on hand minus what orders hold).
    available: int


def _sale_rows(ids: list[int]) -> QuerySet[ProductVariant, Any]:
    return (
        ProductVariant.objects.filter(AnyOf(F("pk"), ids))
        .order_by()  # read into a dict: the model's ordering would only cost a sort
        .annotate(
            unit_price=Coalesce("price_override", "product__base_price"),
            units=available_units(),
            product_status=F("product__status"),
        )
        .values_list(
            "pk",
            "product_id",
            "product__vendor_id",
            "product__title",
            "sku",
            "size",
            "colour",
            "unit_price",
            "product__currency",
            "is_active",
            "product_status",
            "units",
        )
    )


# Checkout and cart ask this for every request: the SQL is built once per process.
_SALE_ROWS = PreparedRows(_sale_rows)


def variants_for_sale(*, variant_ids: Iterable[int]) -> dict[int, VariantForSale]:
    """Variants by id; an id that names no variant is absent."""
    rows = _SALE_ROWS.rows(sorted(set(variant_ids)))
    found = {}
    for row in rows:
        (pk, product_id, vendor_id, title, sku, size, colour, price, currency, active,
         status, units) = row  # fmt: skip
        found[pk] = VariantForSale(
            variant_id=pk,
            product_id=product_id,
            vendor_id=vendor_id,
            title=title,
            sku=sku,
            size=size,
            colour=colour,
            unit_price=price,
            currency=currency,
            on_sale=bool(active) and status == Product.Status.ACTIVE,
            available=max(int(units), 0),
        )
    return found


def variant_ids_on_sale(*, currency: str, limit: int) -> list[int]:
    """Ids of in-stock variants on sale in `currency`, one per product, newest
    products first (demo data and benchmarks pick what to buy with it)."""
    rows = (
        ProductVariant.objects.filter(
            is_active=True, product__status=Product.Status.ACTIVE, product__currency=currency
        )
        .annotate(units=available_units())
        .filter(units__gt=0)
        .order_by("product_id", "pk")
        .distinct("product_id")
        .values_list("pk", flat=True)
    )
    return list(rows[:limit])
