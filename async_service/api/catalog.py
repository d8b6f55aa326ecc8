"""v2 catalog: search (ranked items + facets + total) and product detail. The same
selectors, so the same ranking, as v1."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from async_service.api.catalog_schemas import (
    MAX_LIMIT,
    ProductDetailFitOut,
    SearchFilters,
    SearchOut,
    SimilarOut,
    SimilarQuery,
)
from async_service.api.common_schemas import ErrorOut
from async_service.api.rendering import read_model_response
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
from shared_domain.common.errors import NotAuthenticated, ValidationFailed
from shared_domain.discovery.embedding import query_vector
from shared_domain.discovery.selectors import (
    SimilarProducts,
    product_search_hybrid,
    product_similar,
)
from shared_domain.sizing.selectors import fit_signal_of_product, fits_me_rules

router = Router(tags=["catalog"])


@router.get(
    "/products/search",
    response={200: SearchOut, 400: ErrorOut, 401: ErrorOut},
    auth=None,
    operation_id="v2_products_search",
)
async def search(request: HttpRequest, filters: Query[SearchFilters]) -> HttpResponse:
    """Ranked products on sale with facets (category, size, colour, price band, vendor)
    and the total. The filters are looked up once, then items and facets are read, in
    one hop to the database threads: the facets are mostly a cache hit, and running
    them on a connection of their own cost more hand-offs than it saved. The read
    models are rendered directly (see rendering.py).

    `mode=hybrid` fuses the full-text ranking with the products nearest the query's
    embedding (reciprocal rank fusion, k=60); the facets count the full-text matches.
    The embedding is computed off the event loop within SEARCH_EMBEDDING_BUDGET_MS
    (then cached); when it is late or fails the answer is the text ranking, with
    `mode_used: "text"`.

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
        ordering=f.ordering,
        sort=f.sort,
    )
    if f.fits_me:
        user = await optional_user(request)
        if user is None:
            raise NotAuthenticated("Sign in to search what fits you.")
        rules = await run_db(fits_me_rules, user=user)
        params = dataclasses.replace(params, fit_rules=rules)
    vector = None
    if f.mode == "hybrid":
        # Only a sort the client asked for conflicts; without words it is a text
        # search in any case (no embedding to fuse).
        if params.sort not in (None, "relevance"):
            raise ValidationFailed(
                details={"sort": ["mode=hybrid ranks by relevance: leave sort out."]}
            )
        vector = await query_vector(params.q)
    page, facets = await run_db(
        _search_with_facets, params, min(f.limit, MAX_LIMIT), f.offset, vector
    )
    mode_used = "hybrid" if vector is not None else "text"
    response = read_model_response(
        {
            "items": page.items,
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
            "facets": facets,
            "mode_used": mode_used,
        }
    )
    response["X-Search-Mode"] = mode_used
    return response


def _search_with_facets(
    params: SearchParams, limit: int, offset: int, vector: list[float] | None
) -> tuple[SearchPage, Facets]:
    search = search_resolve(params)
    if vector is not None:
        page = product_search_hybrid(search, vector=vector, limit=limit, offset=offset)
    else:
        page = product_search(search, limit=limit, offset=offset)
    return page, product_facets(search)


@router.get(
    "/products/{product_id}/similar",
    response={200: SimilarOut, 400: ErrorOut, 404: ErrorOut},
    auth=None,
    operation_id="v2_product_similar",
)
async def similar(
    request: HttpRequest, product_id: int, query: Query[SimilarQuery]
) -> SimilarProducts:
    """Products like this one: on sale, of its department and top-level category,
    itself excluded; in stock first, then nearest in meaning (sentence embeddings of
    their text). A product without an embedding yet gets products of its category
    (`basis: "category"`). 404 `not_found` unless the product is on sale."""
    return await run_db(product_similar, product_id=product_id, limit=query.limit)


@router.get(
    "/products/{product_id}",
    response={200: ProductDetailFitOut, 404: ErrorOut},
    auth=None,
    operation_id="v2_product_detail",
)
async def detail(request: HttpRequest, product_id: int) -> HttpResponse:
    """A product on sale: variants with live availability, images, vendor card, rating
    summary, number of reviews, and its fit signal from returns (`fit_signal`)."""
    return read_model_response(await run_db(_detail_with_fit, product_id))


def _detail_with_fit(product_id: int) -> dict[str, Any]:
    """The catalog's detail and the sizing context's fit signal, in one hop."""
    detail = product_detail_public(product_id=product_id)
    return {**_fields(detail), "fit_signal": fit_signal_of_product(product_id=detail.id)}


def _fields(detail: ProductDetail) -> dict[str, Any]:
    # Top-level fields only: the nested dataclasses are rendered as they are.
    return {f.name: getattr(detail, f.name) for f in dataclasses.fields(detail)}
