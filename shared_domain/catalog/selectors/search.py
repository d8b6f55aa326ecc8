"""Product search, one ranking for v1 and v2: the filters looked up once
(`search_resolve`), the matching products with their text rank, and a page of them
(`product_search`).

Query budget (independent of page size): resolving a search's filters is one query
when the text looks like a SKU and one when a vendor is asked for (categories come
from the cached tree); then a search page is one query (cards carry their in-stock
sizes, colours and first image as subqueries).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Upper

from shared_domain.accounts.selectors import vendor_card_annotations, vendor_profile_id_find
from shared_domain.catalog.models import Product, ProductImage, ProductVariant
from shared_domain.catalog.params import (
    PRODUCT_SORTS,
    FitRule,
    FitScope,
    ProductSort,
    SearchParams,
    parse_id,
)
from shared_domain.catalog.search_index import TEXT_SEARCH_CONFIG
from shared_domain.catalog.selectors.categories import category_descendant_ids
from shared_domain.catalog.selectors.read_models import (
    CARD_COLUMNS,
    SearchPage,
    card_of_row,
)
from shared_domain.catalog.vocabulary import (
    COLOUR_FAMILIES,
    colour_family,
    normalize_size,
)
from shared_domain.common.errors import ValidationFailed
from shared_domain.common.prepared import AnyOf, CompiledQueries, PreparedRows
from shared_domain.inventory.selectors import in_stock_q

MAX_QUERY_LENGTH = 256
MAX_TOKENS = 8
_WEBSEARCH_SYNTAX = re.compile(r'["]|(^|\s)-\w|\bor\b', re.IGNORECASE)
_SKU_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")


@dataclass(frozen=True)
class ResolvedSearch:
    """SearchParams with its lookups done (the category subtree, the vendor, the
    product of an exact SKU), so that the items and the facets of one search share
    them instead of repeating them."""

    params: SearchParams
    category_ids: tuple[int, ...] | None = None
    vendor_id: int | None = None
    sku_product_id: int | None = None


type Search = SearchParams | ResolvedSearch


def text_query(q: str) -> SearchQuery | None:
    """Plain words match as prefixes ("ank" finds Ankara; every word must match);
    quotes, OR and -exclusions switch to PostgreSQL's websearch syntax. Nothing here
    can raise a syntax error."""
    q = q.strip()[:MAX_QUERY_LENGTH]
    if not q:
        return None
    if _WEBSEARCH_SYNTAX.search(q):
        return SearchQuery(q, search_type="websearch", config=TEXT_SEARCH_CONFIG)
    tokens = [t for t in re.findall(r"\w+", q, flags=re.UNICODE) if len(t) > 1 or t.isdigit()]
    if not tokens:
        return SearchQuery("", search_type="plain", config=TEXT_SEARCH_CONFIG)
    raw = " & ".join(f"{token}:*" for token in tokens[:MAX_TOKENS])
    return SearchQuery(raw, search_type="raw", config=TEXT_SEARCH_CONFIG)


# Searches repeat (the same words, the same category pages): their SQL is built once
# per process and kept for the most recently used ones. The rows are read every time.
_search_sql = CompiledQueries(size=1024)
compiled_rows = _search_sql.rows


# The product of an exact SKU: the same SQL for every SKU (sku is unique).
_SKU_ROWS = PreparedRows(
    lambda skus: ProductVariant.objects.filter(
        AnyOf(F("sku"), skus), product__status=Product.Status.ACTIVE
    ).values_list("product_id")
)


def _sku_product_id(q: str) -> int | None:
    sku = q.strip().upper()
    if not _SKU_LIKE.match(sku):
        return None
    rows = _SKU_ROWS.rows([sku])
    return int(rows[0][0]) if rows else None


def _vendor_id(vendor: str) -> int:
    pk = parse_id(vendor)
    found = (
        vendor_profile_id_find(pk=pk) if pk is not None else vendor_profile_id_find(slug=vendor)
    )
    if found is None:
        raise ValidationFailed(details={"vendor": ["Unknown vendor."]})
    return found


def _colour_families(colours: Sequence[str]) -> list[str]:
    families = []
    for colour in colours:
        name = colour.strip().lower()
        families.append(
            name if name in COLOUR_FAMILIES or name == "other" else colour_family(name)
        )
    return families


def search_resolve(params: SearchParams) -> ResolvedSearch:
    """Look up what the filters name; an unknown category or vendor is a 400."""
    return ResolvedSearch(
        params=params,
        category_ids=tuple(category_descendant_ids(params.category)) if params.category else None,
        vendor_id=_vendor_id(params.vendor) if params.vendor else None,
        sku_product_id=_sku_product_id(params.q) if params.q else None,
    )


def search_resolved(search: Search) -> ResolvedSearch:
    return search if isinstance(search, ResolvedSearch) else search_resolve(search)


def _scope_q(scope: FitScope) -> Q:
    q = Q(vendor_id=scope.vendor_id)
    if scope.brand:
        q &= Q(brand__iexact=scope.brand)
    if scope.category_ids is not None:
        q &= Q(category_id__in=scope.category_ids)
    return q


def _fit_filter(rules: tuple[FitRule, ...]) -> Q:
    """Products some rule keeps: in its scope, outside the more specific scopes, with
    an active variant of its size in stock (one EXISTS per size)."""
    by_size: dict[str, Q] = {}
    for rule in rules:
        where = _scope_q(rule.scope)
        for other in rule.unless:
            where &= ~_scope_q(other)
        size = normalize_size(rule.size)
        by_size[size] = by_size[size] | where if size in by_size else where
    if not by_size:
        return Q(pk__in=[])
    kept = Q(pk__in=[])
    for size, where in by_size.items():
        variants = ProductVariant.objects.filter(
            in_stock_q(), product=OuterRef("pk"), is_active=True, size=size
        )
        kept |= where & Q(Exists(variants))
    return kept


def search_filtered(search: ResolvedSearch) -> QuerySet[Product]:
    """Active products matching every filter, with `score` (text rank, SKU hit first)."""
    params, sku_product_id = search.params, search.sku_product_id
    qs = Product.objects.filter(status=Product.Status.ACTIVE)
    if search.category_ids is not None:
        qs = qs.filter(category_id__in=search.category_ids)
    if search.vendor_id is not None:
        qs = qs.filter(vendor_id=search.vendor_id)
    if params.brand:
        qs = qs.annotate(brand_upper=Upper("brand")).filter(
            brand_upper=params.brand.strip().upper()
        )
    if params.department:
        qs = qs.filter(department=params.department)
    if params.min_price is not None:
        qs = qs.filter(base_price__gte=params.min_price)
    if params.max_price is not None:
        qs = qs.filter(base_price__lte=params.max_price)
    if params.sizes or params.colours or params.in_stock:
        variants = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
        if params.sizes:
            variants = variants.filter(size__in=[normalize_size(s) for s in params.sizes])
        if params.colours:
            variants = variants.filter(colour_family__in=_colour_families(params.colours))
        if params.in_stock:
            variants = variants.filter(in_stock_q())
        qs = qs.filter(Exists(variants))
    if params.fit_rules is not None:
        qs = qs.filter(_fit_filter(params.fit_rules))
    query = text_query(params.q)
    if query is None:
        return qs.annotate(score=Value(0.0, output_field=FloatField()))
    matches = Q(search_vector=query)
    boost: Any = Value(0.0, output_field=FloatField())
    if sku_product_id is not None:
        matches |= Q(pk=sku_product_id)
        boost = Case(
            When(pk=sku_product_id, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
        )
    return qs.filter(matches).annotate(
        score=Coalesce(
            SearchRank(F("search_vector"), query), Value(0.0), output_field=FloatField()
        )
        + boost
    )


ORDERINGS: dict[ProductSort, list[Any]] = {
    "relevance": [F("score").desc(), F("id").desc()],
    "price": [F("base_price").asc(), F("id").asc()],
    "-price": [F("base_price").desc(), F("id").desc()],
    "newest": [F("published_at").desc(), F("id").desc()],
    "rating": [F("rating_sort").desc(), F("id").desc()],
}


def search_ordering(sort: str) -> list[Any]:
    if sort not in PRODUCT_SORTS:
        raise ValidationFailed(details={"sort": [f"Use one of {', '.join(PRODUCT_SORTS)}."]})
    return ORDERINGS[sort]


def with_card_fields(qs: QuerySet[Product]) -> QuerySet[Product]:
    active = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True).order_by(
        "position", "id"
    )
    # Cards need neither the long text nor the search vector: do not ship them.
    return (
        qs.select_related("category")
        .defer("search_vector", "description", "attributes")
        .annotate(
            **vendor_card_annotations(via="vendor"),
            card_sizes=ArraySubquery(active.filter(in_stock_q()).values("size")),
            card_colours=ArraySubquery(active.values("colour_family")),
            card_image=Subquery(
                ProductImage.objects.filter(product=OuterRef("pk"))
                .order_by("position", "id")
                .values("url")[:1]
            ),
            rating_sort=Coalesce(F("rating_avg"), Value(Decimal(-1))),
        )
    )


def _page_queryset(resolved: ResolvedSearch, limit: int, offset: int) -> QuerySet[Any, Any]:
    qs = with_card_fields(search_filtered(resolved))
    qs = qs.annotate(total=Window(expression=Count("id"))).order_by(
        *search_ordering(resolved.params.effective_sort)
    )
    return qs.values_list(*CARD_COLUMNS, "total")[offset : offset + limit]


def product_search(search: Search, *, limit: int, offset: int) -> SearchPage:
    """One page of ranked results and the total (v2). `limit` and `offset` are capped
    by the caller. The page's SQL is compiled once per distinct search (see
    `_search_sql`); its rows are always read from the database."""
    resolved = search_resolved(search)
    search_ordering(resolved.params.effective_sort)  # an unknown sort is a 400 first
    rows = _search_sql.rows(
        ("page", resolved, limit, offset), lambda: _page_queryset(resolved, limit, offset)
    )
    if rows:
        total = int(rows[0][-1])
    elif offset:  # past the last page: the total still counts every match
        total = search_filtered(resolved).count()
    else:
        total = 0
    return SearchPage(
        items=[card_of_row(row) for row in rows], total=total, limit=limit, offset=offset
    )
