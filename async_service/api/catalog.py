"""v2 catalog: search (ranked items + facets + total) and product detail. The same
selectors, so the same ranking, as v1."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from async_service.api.catalog_schemas import (
    MAX_LIMIT,
    ProductDetailOut,
    SearchFilters,
    SearchOut,
)
from async_service.api.common_schemas import ErrorOut
from shared_domain.catalog.params import SearchParams
from shared_domain.catalog.selectors import (
    Facets,
    ProductDetail,
    SearchPage,
    product_detail_public,
    product_facets,
    product_search,
    search_resolve,
)
from shared_domain.common.asyncdb import run_db

router = Router(tags=["catalog"])


@router.get(
    "/products/search",
    response={200: SearchOut, 400: ErrorOut},
    auth=None,
    operation_id="v2_products_search",
)
async def search(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, object]:
    """Ranked products on sale with facets (category, size, colour, price band, vendor)
    and the total. The filters are looked up once, then items and facets are read, in
    one hop to the database threads: the facets are mostly a cache hit, and running
    them on a connection of their own cost more hand-offs than it saved."""
    f = filters
    params = SearchParams.from_query(
        q=f.q,
        category=f.category,
        vendor=f.vendor,
        brand=f.brand,
        size=f.size,
        colour=f.colour,
        min_price=f.min_price,
        max_price=f.max_price,
        in_stock=f.in_stock,
        department=f.department,
        ordering=f.ordering,
        sort=f.sort,
    )
    page, facets = await run_db(_search_with_facets, params, min(f.limit, MAX_LIMIT), f.offset)
    return {
        "items": page.items,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "facets": facets,
    }


def _search_with_facets(
    params: SearchParams, limit: int, offset: int
) -> tuple[SearchPage, Facets]:
    search = search_resolve(params)
    return product_search(search, limit=limit, offset=offset), product_facets(search)


@router.get(
    "/products/{product_id}",
    response={200: ProductDetailOut, 404: ErrorOut},
    auth=None,
    operation_id="v2_product_detail",
)
async def detail(request: HttpRequest, product_id: int) -> ProductDetail:
    """A product on sale: variants with live availability, images, vendor card, rating
    summary and number of reviews."""
    return await run_db(product_detail_public, product_id=product_id)
