"""v2 catalog: search (ranked items + facets + total) and product detail. The same
selectors, so the same ranking, as v1."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from async_service.api.catalog_schemas import (
    MAX_LIMIT,
    ProductDetailFitOut,
    SearchFilters,
    SearchOut,
)
from async_service.api.common_schemas import ErrorOut
from async_service.api.security import optional_user
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
from shared_domain.common.errors import NotAuthenticated
from shared_domain.sizing.selectors import fit_signal_of_product, fits_me_rules

router = Router(tags=["catalog"])


@router.get(
    "/products/search",
    response={200: SearchOut, 400: ErrorOut, 401: ErrorOut},
    auth=None,
    operation_id="v2_products_search",
)
async def search(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, object]:
    """Ranked products on sale with facets (category, size, colour, price band, vendor)
    and the total. The filters are looked up once, then items and facets are read, in
    one hop to the database threads: the facets are mostly a cache hit, and running
    them on a connection of their own cost more hand-offs than it saved.

    `fits_me=true` (signed-in customers with a body profile with measurements; 401
    `not_authenticated` anonymous, 400 `body_profile_required` otherwise) keeps only
    products with stock in the size their size chart recommends for the caller (the
    chart's score, computed once per chart)."""
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
        sort=f.sort,
    )
    if f.fits_me:
        user = await optional_user(request)
        if user is None:
            raise NotAuthenticated("Sign in to search what fits you.")
        rules = await run_db(fits_me_rules, user=user)
        params = dataclasses.replace(params, fit_rules=rules)
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
    response={200: ProductDetailFitOut, 404: ErrorOut},
    auth=None,
    operation_id="v2_product_detail",
)
async def detail(request: HttpRequest, product_id: int) -> dict[str, Any]:
    """A product on sale: variants with live availability, images, vendor card, rating
    summary, number of reviews, and its fit signal from returns (`fit_signal`)."""
    return await run_db(_detail_with_fit, product_id)


def _detail_with_fit(product_id: int) -> dict[str, Any]:
    """The catalog's detail and the sizing context's fit signal, in one hop."""
    detail = product_detail_public(product_id=product_id)
    return {**_fields(detail), "fit_signal": fit_signal_of_product(product_id=detail.id)}


def _fields(detail: ProductDetail) -> dict[str, Any]:
    # Top-level fields only: the schema reads the nested dataclasses as they are.
    return {f.name: getattr(detail, f.name) for f in dataclasses.fields(detail)}
