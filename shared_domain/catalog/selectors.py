"""Reads of the catalog: the category tree, product search (one ranking for v1 and v2),
facets, product detail and the vendor's product list.

Query budget (independent of page size): resolving a search's filters is one query
when the text looks like a SKU and one when a vendor is asked for (categories come
from the cached tree); then a search page is one query (cards carry their in-stock
sizes, colours and first image as subqueries) and facets are one; a product detail
is three.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Upper

from shared_domain.accounts.selectors import (
    vendor_card_annotations,
    vendor_profile_id_find,
    vendor_profile_id_for_user,
    vendor_profile_names,
)
from shared_domain.catalog.models import Category, Product, ProductImage, ProductVariant
from shared_domain.catalog.params import PRODUCT_SORTS, ProductSort, SearchParams, parse_id
from shared_domain.catalog.search_index import TEXT_SEARCH_CONFIG
from shared_domain.catalog.vocabulary import (
    COLOUR_FAMILIES,
    colour_family,
    normalize_size,
    size_sort_key,
)
from shared_domain.common.cache import cached, forget
from shared_domain.common.errors import NotFound, ValidationFailed
from shared_domain.inventory.selectors import in_stock_q

MAX_QUERY_LENGTH = 256
MAX_TOKENS = 8
# Price bands of the facet, in the currency's major unit.
PRICE_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("0-10000", None, Decimal(10_000)),
    ("10000-25000", Decimal(10_000), Decimal(25_000)),
    ("25000-50000", Decimal(25_000), Decimal(50_000)),
    ("50000-100000", Decimal(50_000), Decimal(100_000)),
    ("100000+", Decimal(100_000), None),
)
_WEBSEARCH_SYNTAX = re.compile(r'["]|(^|\s)-\w|\bor\b', re.IGNORECASE)
_SKU_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
CATEGORY_CACHE_KEY = "catalog:category-rows:v1"


# ---------------------------------------------------------------------- read models
@dataclass(frozen=True)
class Ref:
    id: int
    name: str
    slug: str


@dataclass(frozen=True)
class VendorCard:
    id: int
    name: str
    slug: str
    verified: bool


@dataclass(frozen=True)
class ProductCard:
    id: int
    title: str
    slug: str
    price: Decimal
    currency: str
    brand: str
    department: str
    category: Ref | None
    vendor: VendorCard
    rating: Decimal | None
    rating_count: int
    sizes_in_stock: list[str]
    colours: list[str]
    image: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class VariantView:
    id: int
    sku: str
    size: str
    colour: str
    colour_family: str
    price: Decimal
    is_active: bool
    available: int
    in_stock: bool


@dataclass(frozen=True)
class ImageView:
    id: int
    url: str
    alt_text: str
    position: int


@dataclass(frozen=True)
class VariantStock:
    variant_id: int
    sku: str
    quantity: int
    allocated: int
    available: int


@dataclass(frozen=True)
class RatingSummary:
    average: Decimal | None
    count: int


@dataclass(frozen=True)
class ProductDetail:
    id: int
    title: str
    slug: str
    description: str
    brand: str
    department: str
    status: str
    price: Decimal
    currency: str
    size_system: str
    attributes: dict[str, Any]
    category: Ref | None
    vendor: VendorCard
    rating: RatingSummary
    variants: list[VariantView]
    images: list[ImageView]
    sizes_in_stock: list[str]
    created_at: datetime
    published_at: datetime | None


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facets:
    category: list[FacetValue] = field(default_factory=list)
    size: list[FacetValue] = field(default_factory=list)
    colour: list[FacetValue] = field(default_factory=list)
    price: list[FacetValue] = field(default_factory=list)
    vendor: list[FacetValue] = field(default_factory=list)


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


@dataclass(frozen=True)
class SearchPage:
    items: list[ProductCard]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class CursorPage:
    items: list[ProductCard]
    next_cursor: str | None


@dataclass(frozen=True)
class VendorProductRow:
    id: int
    title: str
    slug: str
    status: str
    price: Decimal
    currency: str
    category: Ref | None
    variant_count: int
    stock_total: int
    updated_at: datetime


@dataclass(frozen=True)
class VendorProductPage:
    items: list[VendorProductRow]
    next_cursor: str | None


# ---------------------------------------------------------------------- categories
def _category_rows() -> list[tuple[int, str, str, int | None, int, str]]:
    return [
        (c.pk, c.name, c.slug, c.parent_id, c.position, c.path)
        for c in Category.objects.order_by("path", "position")
    ]


def category_rows() -> list[tuple[int, str, str, int | None, int, str]]:
    rows: list[tuple[int, str, str, int | None, int, str]] = cached(
        CATEGORY_CACHE_KEY, _category_rows, timeout=3600
    )
    return rows


def category_tree_invalidate() -> None:
    forget(CATEGORY_CACHE_KEY)


def category_tree() -> list[dict[str, Any]]:
    """The whole tree: [{id, name, slug, children: [...]}, ...], siblings by position."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    rows = sorted(category_rows(), key=lambda row: (row[5].count("/"), row[4], row[1]))
    for pk, name, slug, parent_id, _position, _path in rows:
        node = {"id": pk, "name": name, "slug": slug, "children": []}
        nodes[pk] = node
        (nodes[parent_id]["children"] if parent_id in nodes else roots).append(node)
    return roots


def category_descendant_ids(category: str) -> list[int]:
    """Ids of a category (by id or slug) and everything under it. Unknown: 400."""
    rows = category_rows()
    pk = parse_id(category)
    match = next((row for row in rows if row[0] == pk or row[2] == category), None)
    if match is None:
        raise ValidationFailed(details={"category": ["Unknown category."]})
    return [row[0] for row in rows if row[5].startswith(match[5])]


def category_labels() -> dict[int, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in category_rows()}


# ---------------------------------------------------------------------- search
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


def _sku_product_id(q: str) -> int | None:
    candidate = q.strip()
    if not _SKU_LIKE.match(candidate):
        return None
    found: int | None = (
        ProductVariant.objects.filter(sku=candidate.upper(), product__status=Product.Status.ACTIVE)
        .values_list("product_id", flat=True)
        .first()
    )
    return found


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


def _resolved(search: Search) -> ResolvedSearch:
    return search if isinstance(search, ResolvedSearch) else search_resolve(search)


def _filtered(search: ResolvedSearch) -> QuerySet[Product]:
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


def _ordering(sort: str) -> list[Any]:
    if sort not in PRODUCT_SORTS:
        raise ValidationFailed(details={"sort": [f"Use one of {', '.join(PRODUCT_SORTS)}."]})
    return ORDERINGS[sort]


def _with_card_fields(qs: QuerySet[Product]) -> QuerySet[Product]:
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


def _unique(values: Sequence[str] | None) -> list[str]:
    return list(dict.fromkeys(values or ()))


def _category_ref(category: Category | None) -> Ref | None:
    return Ref(category.pk, category.name, category.slug) if category else None


def _vendor_card(product: Any) -> VendorCard:
    """The card of the vendor of `product` (annotated with vendor_card_annotations)."""
    return VendorCard(
        id=product.vendor_id,
        name=product.vendor_card_name,
        slug=product.vendor_card_slug,
        verified=product.vendor_card_verified,
    )


def _card(product: Any) -> ProductCard:
    return ProductCard(
        id=product.pk,
        title=product.title,
        slug=product.slug,
        price=product.base_price,
        currency=product.currency,
        brand=product.brand,
        department=product.department,
        category=_category_ref(product.category),
        vendor=_vendor_card(product),
        rating=product.rating_avg,
        rating_count=product.rating_count,
        sizes_in_stock=sorted(_unique(product.card_sizes), key=size_sort_key),
        colours=_unique(product.card_colours),
        image=product.card_image,
        published_at=product.published_at,
    )


def product_search(search: Search, *, limit: int, offset: int) -> SearchPage:
    """One page of ranked results and the total (v2). `limit` and `offset` are capped
    by the caller."""
    resolved = _resolved(search)
    qs = _with_card_fields(_filtered(resolved))
    qs = qs.annotate(total=Window(expression=Count("id"))).order_by(
        *_ordering(resolved.params.effective_sort)
    )
    rows = list(qs[offset : offset + limit])
    if rows:
        total = int(rows[0].total)
    elif offset:  # past the last page: the total still counts every match
        total = _filtered(resolved).count()
    else:
        total = 0
    return SearchPage(items=[_card(p) for p in rows], total=total, limit=limit, offset=offset)


# ---------------------------------------------------------------------- keyset pages (v1)
# Bounds of the numbers a cursor may carry: prices and ratings are far below them.
_MAX_CURSOR_NUMBER = Decimal(10) ** 15


def _cursor_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _cursor_decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= _MAX_CURSOR_NUMBER:
        raise ValueError(text)
    return value


def _cursor_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    return value


CURSOR_KEYS: dict[ProductSort, tuple[str, Callable[[str], Any], str]] = {
    "relevance": ("score", _cursor_float, "desc"),
    "price": ("base_price", _cursor_decimal, "asc"),
    "-price": ("base_price", _cursor_decimal, "desc"),
    # Never null: products on sale always have a publication date (a CHECK).
    "newest": ("published_at", _cursor_datetime, "desc"),
    "rating": ("rating_sort", _cursor_decimal, "desc"),
}


def _encode_cursor(sort: str, value: Any, pk: int) -> str:
    raw = json.dumps([sort, str(value), pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: ProductSort) -> tuple[Any, int]:
    """The sort key and id of the last row of the previous page. Anything but a cursor
    this module wrote for the same sort (including NaN or infinite numbers) is a 400."""
    invalid = ValidationFailed(details={"cursor": ["Invalid cursor; start from the first page."]})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if (
            cursor_sort != sort
            or not isinstance(value, str)
            or type(pk) is not int
            or not 0 < pk < 2**63
        ):
            raise invalid
        return CURSOR_KEYS[sort][1](value), pk
    except (ValueError, TypeError, binascii.Error, ArithmeticError):
        raise invalid from None


def product_search_keyset(search: Search, *, limit: int, cursor: str | None) -> CursorPage:
    """A page after `cursor` in a stable order (v1 list): no duplicates or gaps when
    products are added while a client pages."""
    resolved = _resolved(search)
    sort = resolved.params.effective_sort
    qs = _with_card_fields(_filtered(resolved)).order_by(*_ordering(sort))
    field_name, _parse, direction = CURSOR_KEYS[sort]
    if cursor:
        value, pk = _decode_cursor(cursor, sort)
        after = "lt" if direction == "desc" else "gt"
        qs = qs.filter(
            Q(**{f"{field_name}__{after}": value}) | Q(**{field_name: value, f"id__{after}": pk})
        )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode_cursor(sort, getattr(last, field_name), last.pk)
    return CursorPage(items=[_card(p) for p in rows], next_cursor=next_cursor)


# ---------------------------------------------------------------------- facets
def product_facets(search: Search) -> Facets:
    """Counts of the matching products by category, size, colour, price band and vendor
    (sizes and colours count products with such an active variant; in stock when
    in_stock is asked). One query, cached for FACETS_CACHE_SECONDS: counts may lag
    that long behind stock changes, the items of a search never do."""
    resolved = _resolved(search)
    ttl = settings.FACETS_CACHE_SECONDS
    if ttl <= 0:
        return _compute_facets(resolved)
    key = "catalog:facets:v2:" + hashlib.sha256(repr(resolved).encode()).hexdigest()
    return cached(key, lambda: _compute_facets(resolved), timeout=ttl)


def _compute_facets(search: ResolvedSearch) -> Facets:
    base = _filtered(search).order_by().values("id", "category_id", "vendor_id", "base_price")
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
    """  # noqa: S608 - the only interpolations are our own SQL and constant bands
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


# ---------------------------------------------------------------------- detail
def _detail_queryset(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return (
        queryset.select_related("category")
        .annotate(**vendor_card_annotations(via="vendor"))
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.select_related("stock").order_by("position", "id"),
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    )


def _variant_view(variant: ProductVariant) -> VariantView:
    """`variant` with its stock and product loaded."""
    stock = getattr(variant, "stock", None)
    available = max(0, stock.available) if stock is not None and variant.is_active else 0
    return VariantView(
        id=variant.pk,
        sku=variant.sku,
        size=variant.size,
        colour=variant.colour,
        colour_family=variant.colour_family,
        price=variant.price,
        is_active=variant.is_active,
        available=available,
        in_stock=available > 0,
    )


def _image_view(image: ProductImage) -> ImageView:
    return ImageView(id=image.pk, url=image.url, alt_text=image.alt_text, position=image.position)


def _detail(product: Product) -> ProductDetail:
    variants = [_variant_view(variant) for variant in product.variants.all()]
    return ProductDetail(
        id=product.pk,
        title=product.title,
        slug=product.slug,
        description=product.description,
        brand=product.brand,
        department=product.department,
        status=product.status,
        price=product.base_price,
        currency=product.currency,
        size_system=product.size_system,
        attributes=product.attributes,
        category=_category_ref(product.category),
        vendor=_vendor_card(product),
        rating=RatingSummary(average=product.rating_avg, count=product.rating_count),
        variants=variants,
        images=[_image_view(image) for image in product.images.all()],
        sizes_in_stock=sorted(
            _unique([v.size for v in variants if v.in_stock]), key=size_sort_key
        ),
        created_at=product.created_at,
        published_at=product.published_at,
    )


def product_detail(*, queryset: QuerySet[Product], product_id: int) -> ProductDetail:
    """A product of `queryset` (the products on sale, a vendor's own...) with all it
    shows, in three queries; any other id is not found."""
    product = _detail_queryset(queryset).filter(pk=product_id).first()
    if product is None:
        raise NotFound("No such product.")
    return _detail(product)


def product_detail_public(*, product_id: int) -> ProductDetail:
    """An active product, as shoppers see it; anything else is not found."""
    return product_detail(
        queryset=Product.objects.filter(status=Product.Status.ACTIVE), product_id=product_id
    )


# ---------------------------------------------------------------------- vendor back office
def _owned_by[M: Model](queryset: QuerySet[M], *, user: Any, vendor_field: str) -> QuerySet[M]:
    """The rows of `queryset` whose vendor (`vendor_field`: the path to the vendor's id)
    is the user's store; staff see all; anyone else, none."""
    if getattr(user, "is_platform_staff", False):
        return queryset
    vendor_id = vendor_profile_id_for_user(user=user)
    if vendor_id is None:
        return queryset.none()
    return queryset.filter(**{vendor_field: vendor_id})


def product_queryset_for_vendor(*, user: Any) -> QuerySet[Product]:
    """The products a vendor may see and change: their own (staff: all)."""
    return _owned_by(Product.objects.all(), user=user, vendor_field="vendor_id")


def product_get_for_vendor(*, user: Any, product_id: int) -> Product:
    """One of the vendor's products (staff: any); another vendor's is not found."""
    product = product_queryset_for_vendor(user=user).filter(pk=product_id).first()
    if product is None:
        raise NotFound("No such product.")
    return product


def variant_get_for_vendor(*, user: Any, product_id: int, variant_id: int) -> ProductVariant:
    """A variant of one of the vendor's products (staff: any); the product of another
    vendor is not found, nor is a variant of another product."""
    product = product_get_for_vendor(user=user, product_id=product_id)
    variant = ProductVariant.objects.filter(product=product, pk=variant_id).first()
    if variant is None:
        raise NotFound("No such variant.")
    return variant


def variant_get_owned(*, user: Any, variant_id: int) -> ProductVariant:
    """A variant (with its product) of the vendor's products by its id alone (staff:
    any); anyone else's is not found."""
    variants = ProductVariant.objects.select_related("product")
    variant = _owned_by(variants, user=user, vendor_field="product__vendor_id")
    found = variant.filter(pk=variant_id).first()
    if found is None:
        raise NotFound()
    return found


def image_list_for_vendor(*, user: Any, product_id: int) -> list[ImageView]:
    """The images of one of the vendor's products, in display order."""
    product = product_get_for_vendor(user=user, product_id=product_id)
    return [_image_view(image) for image in product.images.order_by("position", "id")]


def image_get_for_vendor(*, user: Any, product_id: int, image_id: int) -> ProductImage:
    """An image of one of the vendor's products; any other is not found."""
    product = product_get_for_vendor(user=user, product_id=product_id)
    image = ProductImage.objects.filter(product=product, pk=image_id).first()
    if image is None:
        raise NotFound("No such image.")
    return image


def _variants_with_stock() -> QuerySet[ProductVariant]:
    # The product is there for the variant's price (its own or the product's).
    return ProductVariant.objects.select_related("stock", "product").defer(
        "product__search_vector", "product__description", "product__attributes"
    )


def variant_list_for_vendor(*, user: Any, product_id: int) -> list[VariantView]:
    """The variants (with stock) of one of the vendor's products, in one query."""
    variants = list(
        _owned_by(_variants_with_stock(), user=user, vendor_field="product__vendor_id")
        .filter(product_id=product_id)
        .order_by("position", "id")
    )
    if not variants:  # none, or not theirs to see
        product_get_for_vendor(user=user, product_id=product_id)
    return [_variant_view(variant) for variant in variants]


def variant_view(*, variant_id: int) -> VariantView:
    """One variant with its availability (after the back office changed it)."""
    return _variant_view(_variants_with_stock().get(pk=variant_id))


def _vendor_products(
    *, user: Any, status: str | None, q: str, category: str | None
) -> QuerySet[Product]:
    qs = (
        product_queryset_for_vendor(user=user)
        .select_related("category")
        .defer("search_vector", "description", "attributes")
    )
    if status:
        if status not in Product.Status.values:
            raise ValidationFailed(
                details={"status": [f"Use one of {', '.join(Product.Status.values)}."]}
            )
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category_id__in=category_descendant_ids(category))
    if q.strip():
        sku = ProductVariant.objects.filter(product=OuterRef("pk"), sku=q.strip().upper())
        qs = qs.filter(Q(search_vector=text_query(q)) | Exists(sku))
    return qs.annotate(
        variant_count=Coalesce(
            Subquery(
                ProductVariant.objects.filter(product=OuterRef("pk"))
                .values("product")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        ),
        stock_total=Coalesce(
            Subquery(
                ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
                .values("product")
                .annotate(n=Sum("stock__quantity"))
                .values("n")
            ),
            0,
        ),
    ).order_by("-id")


def product_page_for_vendor(
    *,
    user: Any,
    status: str | None = None,
    q: str = "",
    category: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> VendorProductPage:
    """The vendor's products (staff: all), newest first, `limit` after `cursor` (the
    id of the last product of the previous page), in one query."""
    qs = _vendor_products(user=user, status=status, q=q, category=category)
    if cursor:
        after = parse_id(cursor)
        if after is None:
            raise ValidationFailed(
                details={"cursor": ["Invalid cursor; start from the first page."]}
            )
        qs = qs.filter(pk__lt=after)
    rows = list(qs[: limit + 1])
    next_cursor = str(rows[limit - 1].pk) if len(rows) > limit else None
    items = [
        VendorProductRow(
            id=p.pk,
            title=p.title,
            slug=p.slug,
            status=p.status,
            price=p.base_price,
            currency=p.currency,
            category=_category_ref(p.category),
            variant_count=p.variant_count,  # type: ignore[attr-defined]
            stock_total=p.stock_total,  # type: ignore[attr-defined]
            updated_at=p.updated_at,
        )
        for p in rows[:limit]
    ]
    return VendorProductPage(items=items, next_cursor=next_cursor)
