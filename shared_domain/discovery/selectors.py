"""Reads of the discovery context: similar products and hybrid search.

Nearest neighbours come from the HNSW index (cosine) of `ProductEmbedding`, filtered
by a subquery of ids the catalog's selectors give (products on sale in a scope, or
matching a search's filters). pgvector's iterative index scan keeps reading the index
until enough neighbours pass the filter, so a narrow filter still fills a page.

Query budget: similar products, 5 (the product's scope, its embedding, the scan
settings, the neighbours, their cards), 3 without an embedding (scope, embedding,
cards by category); a hybrid page, the text candidates + the scan settings + the neighbours +
the cards (4) after the filters are resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from pgvector.django import CosineDistance

from shared_domain.catalog.selectors import (
    ProductCard,
    ResolvedSearch,
    SearchPage,
    product_cards,
    product_ids_in_scope,
    product_similarity_scope,
    products_related_by_category,
    search_filter_ids,
    search_ranked_ids,
)
from shared_domain.common.errors import NotFound
from shared_domain.discovery.models import ProductEmbedding

SIMILAR_MAX_LIMIT = 50
# Reciprocal rank fusion: score = sum over the lists of 1 / (RRF_K + rank).
RRF_K = 60


def _scan_settings(ef_search: int) -> None:
    """For this transaction: keep scanning the index until `LIMIT` rows pass the filter
    (pgvector >= 0.8), looking at `ef_search` candidates at a time."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),"
            " set_config('hnsw.ef_search', %s, true)",
            [str(ef_search)],
        )


def nearest_queryset(vector: Sequence[float], *, among: QuerySet) -> QuerySet:
    """Embeddings among the ids of `among`, nearest `vector` first (by the HNSW index)."""
    return (
        ProductEmbedding.objects.filter(product_id__in=among)
        .annotate(distance=CosineDistance("embedding", list(vector)))
        .order_by("distance")
    )


def nearest_ids(
    vector: Sequence[float],
    *,
    among: QuerySet,
    limit: int,
    max_distance: float | None = None,
) -> list[tuple[int, float]]:
    """(product id, cosine distance) of the `limit` nearest embeddings among the ids of
    `among`, nearest first. Call inside a transaction (the scan settings are local)."""
    # pgvector accepts 1..1000; the iterative scan goes on past it when a page needs more.
    _scan_settings(min(1000, max(40, limit)))
    qs = nearest_queryset(vector, among=among)
    rows = [(int(pk), float(d)) for pk, d in qs.values_list("product_id", "distance")[:limit]]
    # The relaxed scan may return rows slightly out of order: restore it.
    rows.sort(key=lambda row: row[1])
    if max_distance is not None:
        rows = [row for row in rows if row[1] <= max_distance]
    return rows


@dataclass(frozen=True)
class SimilarProducts:
    items: list[ProductCard]
    # "embedding": nearest neighbours of the product's text; "category": the product
    # has no embedding yet, so products of its category stand in.
    basis: str


def product_similar(*, product_id: int, limit: int) -> SimilarProducts:
    """Products like a product on sale: on sale, of its department and top-level
    category, itself excluded; in stock first, then nearest first. Unknown or not on
    sale: NotFound."""
    limit = max(1, min(limit, SIMILAR_MAX_LIMIT))
    scope = product_similarity_scope(product_id=product_id)
    if scope is None:
        raise NotFound("No such product on sale.")
    vector = (
        ProductEmbedding.objects.filter(product_id=product_id)
        .values_list("embedding", flat=True)
        .first()
    )
    if vector is None:
        return SimilarProducts(
            items=products_related_by_category(scope=scope, limit=limit), basis="category"
        )
    # More neighbours than asked, so that in-stock products can move ahead of closer
    # ones that are sold out without the page running short.
    with transaction.atomic():
        nearest = nearest_ids(vector, among=product_ids_in_scope(scope), limit=limit * 3)
    cards = product_cards(product_ids=[pk for pk, _ in nearest])
    # Stable: within each group the neighbours keep their distance order.
    cards.sort(key=lambda card: not card.sizes_in_stock)
    return SimilarProducts(items=cards[:limit], basis="embedding")


def rrf_fuse(*rankings: Sequence[int], k: int = RRF_K) -> list[int]:
    """Reciprocal rank fusion of ranked id lists (rank 1 first); ties: higher id first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pk in enumerate(ranking, start=1):
            scores[pk] = scores.get(pk, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda pk: (-scores[pk], -pk))


def product_search_hybrid(
    search: ResolvedSearch, *, vector: Sequence[float], limit: int, offset: int
) -> SearchPage:
    """A page of a search whose full-text ranking and nearest neighbours of the query's
    embedding (among the products matching its filters, at least
    SEARCH_HYBRID_MIN_SIMILARITY alike) are fused by reciprocal rank. `total` counts
    the fused candidates (at most SEARCH_HYBRID_CANDIDATES from each list), the same on
    every page, so pages neither repeat nor skip a product; past them a page is empty."""
    candidates = settings.SEARCH_HYBRID_CANDIDATES
    text_ids = search_ranked_ids(search, limit=candidates)
    with transaction.atomic():
        nearest = nearest_ids(
            vector,
            among=search_filter_ids(search),
            limit=candidates,
            max_distance=1.0 - settings.SEARCH_HYBRID_MIN_SIMILARITY,
        )
    fused = rrf_fuse(text_ids, [pk for pk, _ in nearest])
    # The SKU a query names exactly stays first, as in the text ranking.
    if search.sku_product_id is not None and search.sku_product_id in fused:
        fused.remove(search.sku_product_id)
        fused.insert(0, search.sku_product_id)
    page_ids = fused[offset : offset + limit]
    return SearchPage(
        items=product_cards(product_ids=page_ids), total=len(fused), limit=limit, offset=offset
    )
