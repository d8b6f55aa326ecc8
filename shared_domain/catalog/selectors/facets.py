"""Facet counts of a search (category, size, colour, price band, vendor), in one query."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection

from shared_domain.accounts.selectors import vendor_profile_names
from shared_domain.catalog.models import ProductVariant
from shared_domain.catalog.selectors.categories import category_labels
from shared_domain.catalog.selectors.read_models import Facets, FacetValue
from shared_domain.catalog.selectors.search import (
    ResolvedSearch,
    Search,
    search_filtered,
    search_resolved,
)
from shared_domain.catalog.vocabulary import size_sort_key
from shared_domain.common.cache import cached
from shared_domain.inventory.selectors import in_stock_q

# Price bands of the facet, in the currency's major unit.
PRICE_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("0-10000", None, Decimal(10_000)),
    ("10000-25000", Decimal(10_000), Decimal(25_000)),
    ("25000-50000", Decimal(25_000), Decimal(50_000)),
    ("50000-100000", Decimal(50_000), Decimal(100_000)),
    ("100000+", Decimal(100_000), None),
)


def product_facets(search: Search) -> Facets:
    """Counts of the matching products by category, size, colour, price band and vendor
    (sizes and colours count products with such an active variant; in stock when
    in_stock is asked). One query, cached for FACETS_CACHE_SECONDS: counts may lag
    that long behind stock changes, the items of a search never do."""
    resolved = search_resolved(search)
    ttl = settings.FACETS_CACHE_SECONDS
    if ttl <= 0:
        return _compute_facets(resolved)
    key = "catalog:facets:v2:" + hashlib.sha256(repr(resolved).encode()).hexdigest()
    return cached(key, lambda: _compute_facets(resolved), timeout=ttl)


def _compute_facets(search: ResolvedSearch) -> Facets:
    base = (
        search_filtered(search).order_by().values("id", "category_id", "vendor_id", "base_price")
    )
    base_sql, base_params = base.query.sql_with_params()
    # Sizes and colours count active variants (with units to sell when asked), with
    # "in stock" meaning what it means everywhere else.
    variants = ProductVariant.objects.filter(is_active=True)
    if search.params.in_stock:
        variants = variants.filter(in_stock_q())
    variant_sql, variant_params = (
        variants.order_by().values("product_id", "size", "colour_family").query.sql_with_params()
    )
    vendor_sql, vendor_params = vendor_profile_names().query.sql_with_params()
    band_cases = " ".join(
        "WHEN "
        + " AND ".join(
            part
            for part in (
                f"f.base_price >= {low}" if low is not None else "",
                f"f.base_price < {high}" if high is not None else "",
            )
            if part
        )
        + f" THEN '{label}'"
        for label, low, high in PRICE_BANDS
    )
    # Only compiled querysets (their values are parameters) and the constant price bands.
    sql = f"""
        WITH f AS MATERIALIZED ({base_sql}), v AS NOT MATERIALIZED ({variant_sql}),
             vp AS NOT MATERIALIZED ({vendor_sql})
        SELECT 'category', f.category_id::text, NULL, count(*) FROM f
         WHERE f.category_id IS NOT NULL GROUP BY 2
        UNION ALL
        SELECT 'vendor', f.vendor_id::text, max(vp.store_name), count(*)
          FROM f JOIN vp ON vp.id = f.vendor_id GROUP BY 2
        UNION ALL
        SELECT 'price', CASE {band_cases} END, NULL, count(*) FROM f GROUP BY 2
        UNION ALL
        SELECT 'size', v.size, NULL, count(DISTINCT v.product_id)
          FROM v JOIN f ON f.id = v.product_id GROUP BY 2
        UNION ALL
        SELECT 'colour', v.colour_family, NULL, count(DISTINCT v.product_id)
          FROM v JOIN f ON f.id = v.product_id GROUP BY 2
    """  # noqa: S608 - only our own SQL and constant bands # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, (*base_params, *variant_params, *vendor_params))
        rows = cursor.fetchall()
    return _facets_from_rows(rows)


def _facets_from_rows(rows: list[tuple[str, str, str | None, int]]) -> Facets:
    counts: dict[str, dict[str, int]] = {}
    labels: dict[tuple[str, str], str] = {}
    for kind, value, label, count in rows:
        if value is not None:
            counts.setdefault(kind, {})[value] = int(count)
            if label is not None:
                labels[(kind, value)] = label
    categories = category_labels()

    def ranked(kind: str, label: Any) -> list[FacetValue]:
        values = [
            FacetValue(value=v, label=label(v), count=c) for v, c in counts.get(kind, {}).items()
        ]
        return sorted(values, key=lambda fv: (-fv.count, fv.label))

    sizes = [FacetValue(value=v, label=v, count=c) for v, c in counts.get("size", {}).items()]
    prices = [
        FacetValue(value=band, label=_band_label(band), count=counts["price"][band])
        for band, _, _ in PRICE_BANDS
        if band in counts.get("price", {})
    ]
    return Facets(
        category=ranked("category", lambda v: categories.get(int(v), ("?", ""))[0]),
        size=sorted(sizes, key=lambda fv: size_sort_key(fv.value)),
        colour=ranked("colour", lambda v: v.capitalize()),
        price=prices,
        vendor=ranked("vendor", lambda v: labels.get(("vendor", v), "?")),
    )


def _band_label(band: str) -> str:
    low, _, high = band.partition("-")
    if band.endswith("+"):
        return f"{int(band[:-1]):,} and above"
    return f"{int(low):,} - {int(high):,}"
