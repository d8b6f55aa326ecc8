"""Reads of the vendor back office: a vendor's own products, variants and images (staff:
all); anyone else's are not found, so their existence is not revealed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from shared_domain.accounts.selectors import vendor_profile_id_for_user
from shared_domain.catalog.models import Product, ProductImage, ProductVariant
from shared_domain.catalog.params import parse_id
from shared_domain.catalog.selectors.categories import category_descendant_ids
from shared_domain.catalog.selectors.read_models import (
    ImageView,
    VariantView,
    VendorProductPage,
    VendorProductRow,
    category_ref,
    image_view_of,
    variant_view_of,
)
from shared_domain.catalog.selectors.search import text_query
from shared_domain.common.errors import NotFound, ValidationFailed
from shared_domain.inventory.selectors import (
    available_units,
    units_allocated,
    units_on_hand,
    units_reserved,
)


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
    variants = _owned_by(
        ProductVariant.objects.select_related("product"),
        user=user,
        vendor_field="product__vendor_id",
    )
    found = variants.filter(pk=variant_id).first()
    if found is None:
        raise NotFound()
    return found


def image_list_for_vendor(*, user: Any, product_id: int) -> list[ImageView]:
    """The images of one of the vendor's products, in display order."""
    product = product_get_for_vendor(user=user, product_id=product_id)
    return [image_view_of(image) for image in product.images.order_by("position", "id")]


def image_get_for_vendor(*, user: Any, product_id: int, image_id: int) -> ProductImage:
    """An image of one of the vendor's products; any other is not found."""
    product = product_get_for_vendor(user=user, product_id=product_id)
    image = ProductImage.objects.filter(product=product, pk=image_id).first()
    if image is None:
        raise NotFound("No such image.")
    return image


def _variants_with_stock() -> QuerySet[ProductVariant]:
    # The product is there for the variant's price (its own or the product's).
    return (
        ProductVariant.objects.select_related("product")
        .annotate(stock_available=available_units())
        .defer("product__search_vector", "product__description", "product__attributes")
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
    return [variant_view_of(variant) for variant in variants]


def variant_view(*, variant_id: int) -> VariantView:
    """One variant with its availability (after the back office changed it)."""
    return variant_view_of(_variants_with_stock().get(pk=variant_id))


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
                .annotate(n=Sum(units_on_hand()))
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
            category=category_ref(p.category),
            variant_count=p.variant_count,  # type: ignore[attr-defined]
            stock_total=p.stock_total,  # type: ignore[attr-defined]
            updated_at=p.updated_at,
        )
        for p in rows[:limit]
    ]
    return VendorProductPage(items=items, next_cursor=next_cursor)


def _low_stock_rows(vendor_id: int, threshold: int) -> QuerySet[ProductVariant, Any]:
    return (
        ProductVariant.objects.filter(
            product__vendor_id=vendor_id, is_active=True, product__status="active"
        )
        .annotate(units=available_units())
        .filter(units__lte=threshold)
        .order_by("units", "id")
        .values_list("id", "sku", "product_id", "product__title", "size", "colour", "units")
    )


def variants_low_stock_of_vendor(
    *, vendor_id: int, threshold: int, limit: int = 20
) -> list[LowStockVariant]:
    """The vendor's active variants of live products with `threshold` units available
    or fewer, scarcest first (one query)."""
    return [LowStockVariant(*row) for row in _low_stock_rows(vendor_id, threshold)[:limit]]


def variants_low_stock_iter(
    *, vendor_id: int, threshold: int, chunk_size: int = 2000
) -> Iterator[LowStockVariant]:
    """Every low-stock variant of the vendor (as `variants_low_stock_of_vendor`),
    fetched `chunk_size` rows at a time: a report of any size in bounded memory."""
    for row in _low_stock_rows(vendor_id, threshold).iterator(chunk_size=chunk_size):
        yield LowStockVariant(*row)


@dataclass(frozen=True)
class InventoryRow:
    """One variant of a vendor's product with its stock: on hand, allocated to paid
    orders, reserved by unpaid ones, and available to sell."""

    product_id: int
    product_title: str
    product_status: str
    variant_id: int
    sku: str
    size: str
    colour: str
    is_active: bool
    on_hand: int
    allocated: int
    reserved: int
    available: int


def variant_count_of_vendor(*, vendor_id: int) -> int:
    return ProductVariant.objects.filter(product__vendor_id=vendor_id).count()


def variants_with_stock_iter(*, vendor_id: int, chunk_size: int = 2000) -> Iterator[InventoryRow]:
    """Every variant of every product of the vendor (any status) with its stock, by
    product then variant, fetched `chunk_size` rows at a time (one query)."""
    rows = (
        ProductVariant.objects.filter(product__vendor_id=vendor_id)
        .annotate(
            on_hand=Coalesce(units_on_hand(), 0),
            held=Coalesce(units_allocated(), 0),
            held_unpaid=Coalesce(units_reserved(), 0),
            units=available_units(),
        )
        .order_by("product_id", "id")
        .values_list(
            "product_id",
            "product__title",
            "product__status",
            "id",
            "sku",
            "size",
            "colour",
            "is_active",
            "on_hand",
            "held",
            "held_unpaid",
            "units",
        )
    )
    for row in rows.iterator(chunk_size=chunk_size):
        yield InventoryRow(*row)


@dataclass(frozen=True)
class LowStockVariant:
    variant_id: int
    sku: str
    product_id: int
    title: str
    size: str
    colour: str
    available: int
