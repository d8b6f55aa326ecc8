"""The read models of the catalog: frozen dataclasses that both APIs render (their v1
serializers and v2 schemas name exactly these fields), and how rows become them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared_domain.catalog.models import Category, ProductImage, ProductVariant
from shared_domain.catalog.vocabulary import size_sort_key


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
    reviews_count: int
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
    reviews_count: int
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


def unique(values: Sequence[str] | None) -> list[str]:
    return list(dict.fromkeys(values or ()))


def category_ref(category: Category | None) -> Ref | None:
    return Ref(category.pk, category.name, category.slug) if category else None


def vendor_card(product: Any) -> VendorCard:
    """The card of the vendor of `product` (annotated with vendor_card_annotations)."""
    return VendorCard(
        id=product.vendor_id,
        name=product.vendor_card_name,
        slug=product.vendor_card_slug,
        verified=product.vendor_card_verified,
    )


def variant_view_of(variant: ProductVariant) -> VariantView:
    """`variant` with its product loaded and annotated with `stock_available`."""
    stock_available: int = variant.stock_available  # type: ignore[attr-defined]
    available = max(0, stock_available) if variant.is_active else 0
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


def image_view_of(image: ProductImage) -> ImageView:
    return ImageView(id=image.pk, url=image.url, alt_text=image.alt_text, position=image.position)


# The columns of a card as one row (`card_of_row`), in this order; the queryset must
# be annotated as search.with_card_fields does.
CARD_COLUMNS = (
    "id",
    "title",
    "slug",
    "base_price",
    "currency",
    "brand",
    "department",
    "category_id",
    "category__name",
    "category__slug",
    "vendor_id",
    "vendor_card_name",
    "vendor_card_slug",
    "vendor_card_verified",
    "rating_avg",
    "rating_count",
    "card_sizes",
    "card_colours",
    "card_image",
    "published_at",
)


def card_of_row(row: Sequence[Any]) -> ProductCard:
    """A card of a row of CARD_COLUMNS."""
    (pk, title, slug, price, currency, brand, department, category_id, category_name,
     category_slug, vendor_id, vendor_name, vendor_slug, vendor_verified, rating,
     rating_count, sizes, colours, image, published_at) = row[:20]  # fmt: skip
    return ProductCard(
        id=pk,
        title=title,
        slug=slug,
        price=price,
        currency=currency,
        brand=brand,
        department=department,
        category=Ref(category_id, category_name, category_slug) if category_id else None,
        vendor=VendorCard(
            id=vendor_id, name=vendor_name, slug=vendor_slug, verified=vendor_verified
        ),
        rating=rating,
        rating_count=rating_count,
        reviews_count=rating_count,
        sizes_in_stock=sorted(unique(sizes), key=size_sort_key),
        colours=unique(colours),
        image=image,
        published_at=published_at,
    )
