"""Reads other contexts build on for discovery (product embeddings, similar products,
hybrid search): the text that describes a product, the scope its similar products
come from, candidate ids of a search, and cards of given products in a given order.
The catalog's tables stay its own: callers get ids, querysets of ids and read
models, never a join by table name."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

from shared_domain.catalog.models import Product, ProductVariant
from shared_domain.catalog.selectors.categories import category_descendant_ids, category_rows
from shared_domain.catalog.selectors.read_models import CARD_COLUMNS, ProductCard, card_of_row
from shared_domain.catalog.selectors.search import (
    ResolvedSearch,
    search_filtered,
    search_ordering,
    with_card_fields,
)
from shared_domain.inventory.selectors import in_stock_q

DESCRIPTION_CHARS = 600


@dataclass(frozen=True)
class EmbeddingSource:
    """What a product's embedding is computed from."""

    product_id: int
    text: str


@dataclass(frozen=True)
class SimilarityScope:
    """A product on sale and where its similar products come from: its department and
    the subtree of its top-level category."""

    product_id: int
    department: str
    category_id: int | None
    root_category_id: int | None


def _category_names() -> dict[int, str]:
    """Category id -> "Women > Dresses > Maxi" (from the cached tree)."""
    rows = category_rows()
    names = {pk: name for pk, name, _slug, _parent, _pos, _path in rows}
    return {
        pk: " > ".join(names[int(part)] for part in path.strip("/").split("/") if part)
        for pk, _name, _slug, _parent, _pos, path in rows
    }


def _root_id(category_id: int | None) -> int | None:
    if category_id is None:
        return None
    for pk, _name, _slug, _parent, _pos, path in category_rows():
        if pk == category_id:
            return int(path.strip("/").split("/")[0])
    return None


def embedding_text(
    *, title: str, brand: str, department: str, category: str, description: str
) -> str:
    parts = [title, brand, Product.Department(department).label, category]
    head = ". ".join(p.strip() for p in parts if p and p.strip())
    return f"{head}. {description.strip()[:DESCRIPTION_CHARS]}".strip(" .")


def product_embedding_sources(
    *, product_ids: Sequence[int] | None = None, after_id: int = 0, limit: int = 500
) -> list[EmbeddingSource]:
    """The texts of products on sale: those of `product_ids`, or a page of all of them
    by id after `after_id`. One query (categories come from the cached tree)."""
    qs = Product.objects.filter(status=Product.Status.ACTIVE)
    if product_ids is not None:
        qs = qs.filter(pk__in=list(product_ids))
    else:
        qs = qs.filter(pk__gt=after_id).order_by("pk")[:limit]
    categories = _category_names()
    return [
        EmbeddingSource(
            product_id=pk,
            text=embedding_text(
                title=title,
                brand=brand,
                department=department,
                category=categories.get(category_id, "") if category_id else "",
                description=description,
            ),
        )
        for pk, title, brand, department, category_id, description in qs.values_list(
            "pk", "title", "brand", "department", "category_id", "description"
        )
    ]


def product_similarity_scope(*, product_id: int) -> SimilarityScope | None:
    """None unless the product is on sale. One query."""
    row = (
        Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE)
        .values_list("department", "category_id")
        .first()
    )
    if row is None:
        return None
    department, category_id = row
    return SimilarityScope(
        product_id=product_id,
        department=department,
        category_id=category_id,
        root_category_id=_root_id(category_id),
    )


def _scope_products(scope: SimilarityScope) -> QuerySet[Product]:
    qs = Product.objects.filter(status=Product.Status.ACTIVE, department=scope.department)
    if scope.root_category_id is not None:
        qs = qs.filter(category_id__in=category_descendant_ids(str(scope.root_category_id)))
    return qs.exclude(pk=scope.product_id)


def product_ids_in_scope(scope: SimilarityScope) -> QuerySet[Product, int]:
    """Ids of the products on sale a product's similar products may be (to filter by in
    a subquery)."""
    return _scope_products(scope).values_list("pk", flat=True)


def products_related_by_category(*, scope: SimilarityScope, limit: int) -> list[ProductCard]:
    """Without an embedding: products of the same category first, then the rest of the
    top-level category; in stock first, then newest. One query."""
    in_stock = Exists(
        ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True).filter(in_stock_q())
    )
    same = (
        ExpressionWrapper(Q(category_id=scope.category_id), output_field=BooleanField())
        if scope.category_id is not None
        else Value(False, output_field=BooleanField())
    )
    qs = (
        with_card_fields(_scope_products(scope))
        .annotate(in_stock=in_stock, same_category=same)
        .order_by(
            F("in_stock").desc(),
            F("same_category").desc(),
            F("published_at").desc(nulls_last=True),
            F("id").desc(),
        )
    )
    return [card_of_row(row) for row in qs.values_list(*CARD_COLUMNS)[:limit]]


def product_cards(*, product_ids: Sequence[int]) -> list[ProductCard]:
    """Cards of the products on sale among `product_ids`, in that order. One query."""
    if not product_ids:
        return []
    rows = {
        row[0]: row
        for row in with_card_fields(
            Product.objects.filter(pk__in=list(product_ids), status=Product.Status.ACTIVE)
        ).values_list(*CARD_COLUMNS)
    }
    return [card_of_row(rows[pk]) for pk in product_ids if pk in rows]


def search_ranked_ids(search: ResolvedSearch, *, limit: int) -> list[int]:
    """The first `limit` ids of a search in its relevance order (the full-text ranking,
    an exact SKU first). One query."""
    ordered = search_filtered(search).order_by(*search_ordering("relevance"))
    return list(ordered.values_list("pk", flat=True)[:limit])


def search_filter_ids(search: ResolvedSearch) -> QuerySet[Product, int]:
    """Ids of the products on sale that match a search's filters, whatever its text (to
    filter nearest neighbours by in a subquery)."""
    params = dataclasses.replace(search.params, q="")
    unfiltered = dataclasses.replace(search, params=params, sku_product_id=None)
    return search_filtered(unfiltered).values_list("pk", flat=True)
