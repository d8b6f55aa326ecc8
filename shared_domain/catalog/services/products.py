"""Writes of products: creating a draft with its variants, stock and images, and changing
it. Every write that changes searchable text refreshes the search vector in the same
transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any, TypedDict

from django.db import transaction
from django.utils.text import slugify

from shared_domain.accounts.selectors import vendor_profile_id_for_user
from shared_domain.catalog import events
from shared_domain.catalog.models import Product, ProductImage
from shared_domain.catalog.search_index import search_vectors_refresh
from shared_domain.catalog.services.images import ImageSpec, check_images
from shared_domain.catalog.services.validation import (
    CURRENCY_CODES,
    Errors,
    check_attributes,
    check_category,
    check_price,
    check_text,
    known_keys,
)
from shared_domain.catalog.services.variants import VariantSpec, check_variants, create_variants
from shared_domain.catalog.vocabulary import SIZE_SYSTEMS
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.common.events import publish
from shared_domain.common.partial import model_update

# Fields whose change makes derived text (search vector, embeddings) stale.
TEXT_FIELDS = frozenset({"title", "description", "brand", "category"})
DESCRIBING_FIELDS = TEXT_FIELDS | {"department"}


# What an `<entity>_update` caller sent: an absent key leaves the field as it is (so
# None can mean "clear").
class ProductChanges(TypedDict, total=False):
    title: str
    description: str
    brand: str
    price: Any
    currency: str
    category_id: int | None
    department: str
    attributes: dict[str, Any]


PRODUCT_UPDATE_FIELDS = (
    "title",
    "description",
    "brand",
    "base_price",
    "currency",
    "category",
    "department",
    "attributes",
)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "product"
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def product_create(
    *,
    vendor_id: int,
    title: str,
    price: Any,
    currency: str = "NGN",
    description: str = "",
    brand: str = "",
    category_id: int | None = None,
    department: str = Product.Department.UNISEX,
    size_system: str = "letter",
    attributes: dict[str, Any] | None = None,
    variants: Sequence[VariantSpec] = (),
    images: Sequence[ImageSpec] = (),
) -> Product:
    """A draft product with its variants, their initial stock and its images."""
    errors: Errors = {}
    title = check_text(title, "title", errors, max_length=200, required=True)
    description = check_text(description, "description", errors, max_length=10_000, required=False)
    brand = check_text(brand, "brand", errors, max_length=100, required=False)
    base_price = check_price(price, "price", errors)
    if currency not in CURRENCY_CODES:
        errors["currency"] = [f"Use one of {', '.join(sorted(CURRENCY_CODES))}."]
    if department not in Product.Department.values:
        errors["department"] = [f"Use one of {', '.join(Product.Department.values)}."]
    if size_system not in SIZE_SYSTEMS:
        errors["size_system"] = [f"Use one of {', '.join(SIZE_SYSTEMS)}."]
    category = check_category(category_id, errors)
    clean_attributes = check_attributes(attributes, errors)
    clean_variants = check_variants(variants, size_system, errors)
    image_specs = check_images(images, errors, existing=0)
    if errors:
        raise ValidationFailed(details=errors)
    assert base_price is not None  # noqa: S101 - checked above
    product = Product.objects.create(
        vendor_id=vendor_id,
        title=title,
        slug=_unique_slug(title),
        description=description,
        brand=brand,
        department=department,
        category=category,
        base_price=base_price,
        currency=currency,
        size_system=size_system,
        attributes=clean_attributes,
    )
    create_variants(product, clean_variants)
    ProductImage.objects.bulk_create(
        [
            ProductImage(product=product, url=spec.url, alt_text=spec.alt_text, position=index)
            for index, spec in enumerate(image_specs)
        ]
    )
    search_vectors_refresh([product.pk])
    return product


def product_create_vendor(*, user: Any) -> int:
    """The vendor a user creates products for: only vendors create products (staff
    correct them, but they belong to a store)."""
    vendor_id = vendor_profile_id_for_user(user=user) if user.is_vendor else None
    if vendor_id is None:
        raise PermissionDenied("Only vendors create products.")
    return vendor_id


@transaction.atomic
def product_update(*, product: Product, data: ProductChanges) -> Product:
    """Change the fields in `data`; only those that really change are written."""
    known_keys(data, ProductChanges)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    errors: Errors = {}
    clean: dict[str, Any] = {}
    if "title" in data:
        clean["title"] = check_text(data["title"], "title", errors, max_length=200, required=True)
    if "description" in data:
        clean["description"] = check_text(
            data["description"], "description", errors, max_length=10_000, required=False
        )
    if "brand" in data:
        clean["brand"] = check_text(data["brand"], "brand", errors, max_length=100, required=False)
    if "price" in data:
        clean["base_price"] = check_price(data["price"], "price", errors)
    if "currency" in data:
        if data["currency"] not in CURRENCY_CODES:
            errors["currency"] = [f"Use one of {', '.join(sorted(CURRENCY_CODES))}."]
        clean["currency"] = data["currency"]
    if "category_id" in data:
        clean["category"] = check_category(data["category_id"], errors)
        if data["category_id"] is None and locked.status == Product.Status.ACTIVE:
            errors["category"] = ["A product on sale needs a category."]
    if "department" in data:
        if data["department"] not in Product.Department.values:
            errors["department"] = [f"Use one of {', '.join(Product.Department.values)}."]
        clean["department"] = data["department"]
    if "attributes" in data:
        clean["attributes"] = check_attributes(data["attributes"], errors)
    if errors:
        raise ValidationFailed(details=errors)
    changed = model_update(instance=locked, fields=PRODUCT_UPDATE_FIELDS, data=clean)
    if changed & TEXT_FIELDS:
        search_vectors_refresh([locked.pk])
    if changed & DESCRIBING_FIELDS and locked.status == Product.Status.ACTIVE:
        publish(events.ProductTextChanged(product_id=locked.pk))
    return locked
