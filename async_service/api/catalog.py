"""v2 catalog: search (ranked items + facets + total, fetched concurrently on separate
connections) and product detail. The same selectors, so the same ranking, as v1."""

from __future__ import annotations

import asyncio

from django.http import HttpRequest
from ninja import Query, Router

from async_service.api.catalog_schemas import (
    MAX_LIMIT,
    ProductDetailOut,
    SearchFilters,
    SearchOut,
)
from async_service.api.common_schemas import ErrorOut
from shared_domain.catalog.selectors import (
    ProductDetail,
    SearchParams,
    product_detail_public,
    product_facets,
    product_search,
)
from shared_domain.common.asyncdb import run_db
from shared_domain.common.errors import ValidationFailed

router = Router(tags=["catalog"])


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@router.get(
    "/products/search",
    response={200: SearchOut, 400: ErrorOut},
    auth=None,
    operation_id="v2_products_search",
)
async def search(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, object]:
    """Ranked products on sale with facets (category, size, colour, price band, vendor)
    and the total. Items and facets are computed at the same time."""
    f = filters
    if f.min_price is not None and f.max_price is not None and f.min_price > f.max_price:
        raise ValidationFailed(details={"min_price": ["Must not be above max_price."]})
    params = SearchParams(
        q=f.q,
        category=f.category,
        vendor=f.vendor,
        brand=f.brand,
        sizes=_split(f.size),
        colours=_split(f.colour),
        min_price=f.min_price,
        max_price=f.max_price,
        in_stock=f.in_stock,
        department=f.department,
        sort=f.sort,
    )
    page, facets = await asyncio.gather(
        run_db(product_search, params, limit=min(f.limit, MAX_LIMIT), offset=f.offset),
        run_db(product_facets, params),
    )
    return {
        "items": page.items,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "facets": facets,
    }


@router.get(
    "/products/{product_id}",
    response={200: ProductDetailOut, 404: ErrorOut},
    auth=None,
    operation_id="v2_product_detail",
)
async def detail(request: HttpRequest, product_id: int) -> ProductDetail:
    """A product on sale: variants with live availability, rating summary (placeholder
    until reviews exist), vendor card."""
    return await run_db(product_detail_public, product_id=product_id)
