"""Shapes of the catalog on v2: the search filters, and OpenAPI descriptions of the read
models of shared_domain.catalog.selectors (the endpoints return those dataclasses; a
test keeps each schema's fields equal to its dataclass's)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shared_domain.catalog.params import Department, ProductSort

MAX_LIMIT = 100
MAX_OFFSET = 10_000


class SearchFilters(Schema):
    q: str = Field(
        "",
        max_length=5000,
        description="Words match as prefixes; quotes, OR and -word use web search syntax; "
        "an exact SKU matches too.",
    )
    category: str | None = Field(
        None, max_length=120, description="Id or slug; with subcategories."
    )
    vendor: str | None = Field(None, max_length=140, description="Vendor id or store slug.")
    brand: str | None = Field(None, max_length=100)
    size: list[str] = Field(default_factory=list, description="Repeat or comma-separate.")
    colour: list[str] = Field(default_factory=list, description="Colour names or families.")
    min_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    max_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    in_stock: bool = False
    department: Department | None = None
    ordering: ProductSort | None = Field(
        None, description="Default: relevance with q, newest without (as on v1)."
    )
    fits_me: bool = Field(
        False,
        description="Signed-in customers with a body profile: only products in stock in "
        "the size their chart recommends for you.",
    )
    sort: ProductSort | None = Field(None, description="Alias of ordering.")
    limit: int = Field(20, ge=1, description=f"Capped at {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    mode: Literal["text", "hybrid"] = Field(
        "text",
        description="text: full-text ranking. hybrid: the full-text ranking and the "
        "products nearest the query's meaning (sentence embeddings) fused by reciprocal "
        "rank, so a paraphrase finds what the words miss; relevance order only. Falls back "
        "to text when the query's embedding is not ready within SEARCH_EMBEDDING_BUDGET_MS "
        "(`mode_used` says which ran).",
    )


class RefOut(Schema):
    id: int
    name: str
    slug: str


class VendorCardOut(Schema):
    id: int
    name: str
    slug: str
    verified: bool


class ProductCardOut(Schema):
    id: int
    title: str
    slug: str
    price: Decimal = Field(description='Decimal string, e.g. "25000.00".')
    currency: str
    brand: str
    department: str
    category: RefOut | None
    vendor: VendorCardOut
    rating: Decimal | None = Field(
        description="Average stars (decimal string); null without reviews."
    )
    rating_count: int
    reviews_count: int = Field(description="Number of reviews.")
    sizes_in_stock: list[str]
    colours: list[str] = Field(description="Colour families of active variants.")
    image: str | None
    published_at: datetime | None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class FacetsOut(Schema):
    category: list[FacetValueOut]
    size: list[FacetValueOut]
    colour: list[FacetValueOut]
    price: list[FacetValueOut]
    vendor: list[FacetValueOut]


class SearchOut(Schema):
    items: list[ProductCardOut]
    total: int
    limit: int
    offset: int
    facets: FacetsOut
    mode_used: Literal["text", "hybrid"] = Field(
        description="The ranking that answered (also the X-Search-Mode header): text when "
        "text was asked, the query is empty, or its embedding was not ready in time."
    )


class SimilarQuery(Schema):
    limit: int = Field(10, ge=1, le=50, description="At most 50.")


class SimilarOut(Schema):
    items: list[ProductCardOut]
    basis: Literal["embedding", "category"] = Field(
        description="embedding: nearest in meaning; category: the product has no "
        "embedding yet, so products of its category stand in."
    )


class VariantOut(Schema):
    id: int
    sku: str
    size: str
    colour: str
    colour_family: str
    price: Decimal
    is_active: bool
    available: int = Field(description="Units to sell: on hand minus allocated (0 if inactive).")
    in_stock: bool


class ImageOut(Schema):
    id: int
    url: str
    alt_text: str
    position: int


class RatingOut(Schema):
    average: Decimal | None = Field(description="Average stars; null without reviews.")
    count: int = Field(description="Number of reviews.")


class ProductDetailOut(Schema):
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
    category: RefOut | None
    vendor: VendorCardOut
    rating: RatingOut
    reviews_count: int = Field(description="Number of reviews.")
    variants: list[VariantOut]
    images: list[ImageOut]
    sizes_in_stock: list[str]
    created_at: datetime
    published_at: datetime | None


class FitSignalOut(Schema):
    verdict: Literal["runs_small", "true_to_size", "runs_large"] | None = Field(
        description="null until enough units were delivered (see README, Sizing)."
    )
    returns_too_small: int = Field(description="Units returned as too small.")
    returns_too_large: int = Field(description="Units returned as too large.")
    kept: int = Field(description="Units delivered and not returned.")


class ProductDetailFitOut(ProductDetailOut):
    """The public product detail: the catalog's, with the sizing context's fit signal."""

    fit_signal: FitSignalOut
