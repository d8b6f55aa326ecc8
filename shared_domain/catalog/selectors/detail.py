"""Product detail: a product with its variants (and their live availability), images,
vendor card and rating summary, in three queries."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from shared_domain.accounts.selectors import vendor_card_annotations
from shared_domain.catalog.models import Product, ProductImage, ProductVariant
from shared_domain.catalog.selectors.read_models import (
    ImageView,
    ProductDetail,
    RatingSummary,
    Ref,
    VariantView,
    VendorCard,
    category_ref,
    image_view_of,
    unique,
    variant_view_of,
    vendor_card,
)
from shared_domain.catalog.vocabulary import size_sort_key
from shared_domain.common.errors import NotFound
from shared_domain.common.prepared import AnyOf, PreparedRows
from shared_domain.inventory.selectors import available_units


def _detail_queryset(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return (
        queryset.select_related("category")
        .annotate(**vendor_card_annotations(via="vendor"))
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.annotate(
                    stock_available=available_units()
                ).order_by("position", "id"),
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    )


def _detail(product: Product) -> ProductDetail:
    variants = [variant_view_of(variant) for variant in product.variants.all()]
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
        category=category_ref(product.category),
        vendor=vendor_card(product),
        rating=RatingSummary(average=product.rating_avg, count=product.rating_count),
        # Every review carries stars, so the reviews are the ratings counted.
        reviews_count=product.rating_count,
        variants=variants,
        images=[image_view_of(image) for image in product.images.all()],
        sizes_in_stock=sorted(unique([v.size for v in variants if v.in_stock]), key=size_sort_key),
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


# Shoppers' product detail (both APIs, the most frequent read): the same three reads
# as `product_detail`, compiled once per process (PreparedRows) and read as plain rows.
def _public_product_rows(ids: list[int]) -> QuerySet[Any, Any]:
    products: Any = Product.objects.filter(  # the stubs cannot see **annotations' names
        AnyOf(F("pk"), ids), status=Product.Status.ACTIVE
    ).annotate(**vendor_card_annotations(via="vendor"))
    return (
        products.values_list(
            "id", "title", "slug", "description", "brand", "department", "status",
            "base_price", "currency", "size_system", "attributes", "category_id",
            "category__name", "category__slug", "vendor_id", "vendor_card_name",
            "vendor_card_slug", "vendor_card_verified", "rating_avg", "rating_count",
            "created_at", "published_at",
        )
    )  # fmt: skip


def _public_variant_rows(ids: list[int]) -> QuerySet[Any, Any]:
    return (
        ProductVariant.objects.filter(AnyOf(F("product_id"), ids))
        .annotate(stock_available=available_units())
        .order_by("position", "id")
        .values_list(
            "id", "sku", "size", "colour", "colour_family", "price_override", "is_active",
            "stock_available",
        )
    )  # fmt: skip


def _public_image_rows(ids: list[int]) -> QuerySet[Any, Any]:
    return (
        ProductImage.objects.filter(AnyOf(F("product_id"), ids))
        .order_by("position", "id")
        .values_list("id", "url", "alt_text", "position")
    )


_PRODUCT_ROWS = PreparedRows(_public_product_rows)
_VARIANT_ROWS = PreparedRows(_public_variant_rows)
_IMAGE_ROWS = PreparedRows(_public_image_rows)


def product_detail_public(*, product_id: int) -> ProductDetail:
    """An active product, as shoppers see it; anything else is not found. The same
    ProductDetail as `product_detail` gives, in three queries."""
    found = _PRODUCT_ROWS.rows([product_id])
    if not found:
        raise NotFound("No such product.")
    (pk, title, slug, description, brand, department, status, price, currency, size_system,
     attributes, category_id, category_name, category_slug, vendor_id, vendor_name,
     vendor_slug, vendor_verified, rating_avg, rating_count, created_at,
     published_at) = found[0]  # fmt: skip
    variants = []
    for vid, sku, size, colour, family, override, is_active, stock in _VARIANT_ROWS.rows([pk]):
        available = max(0, stock) if is_active else 0
        variants.append(
            VariantView(
                id=vid,
                sku=sku,
                size=size,
                colour=colour,
                colour_family=family,
                price=override if override is not None else price,
                is_active=is_active,
                available=available,
                in_stock=available > 0,
            )
        )
    images = [ImageView(*row) for row in _IMAGE_ROWS.rows([pk])]
    return ProductDetail(
        id=pk,
        title=title,
        slug=slug,
        description=description,
        brand=brand,
        department=department,
        status=status,
        price=price,
        currency=currency,
        size_system=size_system,
        # The driver hands jsonb over as text here (Django decodes it in the ORM).
        attributes=json.loads(attributes) if isinstance(attributes, str) else attributes,
        category=Ref(category_id, category_name, category_slug) if category_id else None,
        vendor=VendorCard(id=vendor_id, name=vendor_name, slug=vendor_slug,
                          verified=vendor_verified),
        rating=RatingSummary(average=rating_avg, count=rating_count),
        reviews_count=rating_count,
        variants=variants,
        images=images,
        sizes_in_stock=sorted(unique([v.size for v in variants if v.in_stock]), key=size_sort_key),
        created_at=created_at,
        published_at=published_at,
    )  # fmt: skip
