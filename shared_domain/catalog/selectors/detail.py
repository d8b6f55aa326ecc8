"""Product detail: a product with its variants (and their live availability), images,
vendor card and rating summary, in three queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from shared_domain.accounts.selectors import vendor_card_annotations
from shared_domain.catalog.models import Product, ProductImage, ProductVariant
from shared_domain.catalog.selectors.read_models import (
    ProductDetail,
    RatingSummary,
    category_ref,
    image_view_of,
    unique,
    variant_view_of,
    vendor_card,
)
from shared_domain.catalog.vocabulary import size_sort_key
from shared_domain.common.errors import NotFound
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


def product_detail_public(*, product_id: int) -> ProductDetail:
    """An active product, as shoppers see it; anything else is not found."""
    return product_detail(
        queryset=Product.objects.filter(status=Product.Status.ACTIVE), product_id=product_id
    )
