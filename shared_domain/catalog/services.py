"""Writes of the catalog: products with their variants, stock and images, publishing
rules, categories. Every write that changes searchable text refreshes the product's
search vector in the same transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from shared_domain.accounts.models import VendorProfile
from shared_domain.catalog import events
from shared_domain.catalog.errors import NotPublishable, SkuTaken, VariantExists
from shared_domain.catalog.models import (
    CURRENCIES,
    Category,
    Product,
    ProductImage,
    ProductVariant,
)
from shared_domain.catalog.search_index import search_vectors_refresh
from shared_domain.catalog.vocabulary import SIZE_SYSTEMS, colour_family, normalize_size
from shared_domain.common.errors import ValidationFailed
from shared_domain.common.events import publish
from shared_domain.inventory.models import Stock

UNSET: Any = object()
MAX_PRICE = Decimal("9999999999.99")
MAX_STOCK = 1_000_000
MAX_VARIANTS = 200
MAX_IMAGES = 20
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,63}$")
_CURRENCY_CODES = {code for code, _ in CURRENCIES}

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class VariantSpec:
    sku: str
    size: str
    colour: str
    stock: int = 0
    price_override: Decimal | None = None
    is_active: bool = True


@dataclass(frozen=True)
class ImageSpec:
    url: str
    alt_text: str = ""


# ---------------------------------------------------------------------- validation
def _check_price(
    value: Any, field: str, errors: Errors, *, required: bool = True
) -> Decimal | None:
    if value is None:
        if required:
            errors[field] = ["A price is required."]
        return None
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["Enter a number like 12500.00."]
        return None
    if not price.is_finite() or price <= 0 or price > MAX_PRICE:
        errors[field] = [f"Enter an amount above 0 and at most {MAX_PRICE}."]
        return None
    if price != price.quantize(Decimal("0.01")):
        errors[field] = ["Use at most two decimal places."]
        return None
    return price.quantize(Decimal("0.01"))


def _check_text(value: str, field: str, errors: Errors, *, max_length: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        errors[field] = ["This field may not be blank."]
    elif len(text) > max_length:
        errors[field] = [f"Use at most {max_length} characters."]
    return text


def _clean_sku(sku: str, field: str, errors: Errors) -> str:
    cleaned = sku.strip().upper()
    if not _SKU.match(cleaned):
        errors[field] = [
            "Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."
        ]
    return cleaned


def _check_variant(
    spec: VariantSpec, size_system: str, prefix: str, errors: Errors
) -> VariantSpec | None:
    before = len(errors)
    sku = _clean_sku(spec.sku, f"{prefix}sku", errors)
    size = normalize_size(spec.size)
    if size not in SIZE_SYSTEMS.get(size_system, ()):
        allowed = ", ".join(SIZE_SYSTEMS.get(size_system, ()))
        errors[f"{prefix}size"] = [f"Not a {size_system} size; use one of {allowed}."]
    colour = _check_text(spec.colour, f"{prefix}colour", errors, max_length=40, required=True)
    if (
        not isinstance(spec.stock, int)
        or isinstance(spec.stock, bool)
        or not 0 <= spec.stock <= MAX_STOCK
    ):
        errors[f"{prefix}stock"] = [f"Enter a whole number from 0 to {MAX_STOCK}."]
    price = _check_price(spec.price_override, f"{prefix}price", errors, required=False)
    if len(errors) > before:
        return None
    return VariantSpec(
        sku=sku,
        size=size,
        colour=colour,
        stock=spec.stock,
        price_override=price,
        is_active=spec.is_active,
    )


def _check_variants(
    specs: Sequence[VariantSpec], size_system: str, errors: Errors
) -> list[VariantSpec]:
    if len(specs) > MAX_VARIANTS:
        errors["variants"] = [f"At most {MAX_VARIANTS} variants."]
        return []
    cleaned: list[VariantSpec] = []
    seen_skus: set[str] = set()
    seen_pairs: set[tuple[str, str]] = set()
    for index, spec in enumerate(specs):
        prefix = f"variants.{index}."
        variant = _check_variant(spec, size_system, prefix, errors)
        if variant is None:
            continue
        if variant.sku in seen_skus:
            errors[f"{prefix}sku"] = ["This SKU appears twice."]
        pair = (variant.size, variant.colour.lower())
        if pair in seen_pairs:
            errors[f"{prefix}size"] = ["Another variant has this size and colour."]
        seen_skus.add(variant.sku)
        seen_pairs.add(pair)
        cleaned.append(variant)
    return cleaned


def _check_category(category_id: Any, errors: Errors) -> Category | None:
    if category_id is None:
        return None
    category = (
        Category.objects.filter(pk=category_id).first() if isinstance(category_id, int) else None
    )
    if category is None:
        errors["category"] = ["Unknown category."]
    return category


def _check_attributes(attributes: Any, errors: Errors) -> dict[str, Any]:
    if attributes is None:
        return {}
    if not isinstance(attributes, dict) or len(attributes) > 50:
        errors["attributes"] = ["Use an object with at most 50 keys."]
        return {}
    if any(len(str(key)) > 50 for key in attributes):
        errors["attributes"] = ["Keys may have at most 50 characters."]
    return attributes


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "product"
    return f"{base}-{secrets.token_hex(3)}"


def _ensure_skus_free(skus: Iterable[str]) -> None:
    taken = sorted(ProductVariant.objects.filter(sku__in=list(skus)).values_list("sku", flat=True))
    if taken:
        raise SkuTaken(
            f"SKU {taken[0]} is already used." if len(taken) == 1 else "SKUs already used.",
            details={"sku": taken},
        )


def _create_variants(
    product: Product, specs: Sequence[VariantSpec], start: int = 0
) -> list[ProductVariant]:
    _ensure_skus_free(spec.sku for spec in specs)
    variants = [
        ProductVariant(
            product=product,
            sku=spec.sku,
            size=spec.size,
            colour=spec.colour,
            colour_family=colour_family(spec.colour),
            price_override=spec.price_override,
            is_active=spec.is_active,
            position=start + index,
        )
        for index, spec in enumerate(specs)
    ]
    try:
        with transaction.atomic():
            created = ProductVariant.objects.bulk_create(variants)
    except IntegrityError as exc:
        if "sku" in str(exc):
            raise SkuTaken(details={"sku": [spec.sku for spec in specs]}) from None
        raise VariantExists() from None
    Stock.objects.bulk_create(
        [
            Stock(variant=variant, quantity=spec.stock)
            for variant, spec in zip(created, specs, strict=True)
        ]
    )
    return created


# ---------------------------------------------------------------------- products
@transaction.atomic
def product_create(
    *,
    vendor: VendorProfile,
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
    title = _check_text(title, "title", errors, max_length=200, required=True)
    description = _check_text(
        description, "description", errors, max_length=10_000, required=False
    )
    brand = _check_text(brand, "brand", errors, max_length=100, required=False)
    base_price = _check_price(price, "price", errors)
    if currency not in _CURRENCY_CODES:
        errors["currency"] = [f"Use one of {', '.join(sorted(_CURRENCY_CODES))}."]
    if department not in Product.Department.values:
        errors["department"] = [f"Use one of {', '.join(Product.Department.values)}."]
    if size_system not in SIZE_SYSTEMS:
        errors["size_system"] = [f"Use one of {', '.join(SIZE_SYSTEMS)}."]
    category = _check_category(category_id, errors)
    clean_attributes = _check_attributes(attributes, errors)
    clean_variants = _check_variants(variants, size_system, errors)
    image_specs = _check_images(images, errors, existing=0)
    if errors:
        raise ValidationFailed(details=errors)
    assert base_price is not None  # noqa: S101 - checked above
    product = Product.objects.create(
        vendor=vendor,
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
    _create_variants(product, clean_variants)
    ProductImage.objects.bulk_create(
        [
            ProductImage(product=product, url=spec.url, alt_text=spec.alt_text, position=index)
            for index, spec in enumerate(image_specs)
        ]
    )
    search_vectors_refresh([product.pk])
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    title: str = UNSET,
    description: str = UNSET,
    brand: str = UNSET,
    price: Any = UNSET,
    currency: str = UNSET,
    category_id: int | None = UNSET,
    department: str = UNSET,
    attributes: dict[str, Any] = UNSET,
) -> Product:
    errors: Errors = {}
    changes: dict[str, Any] = {}
    if title is not UNSET:
        changes["title"] = _check_text(title, "title", errors, max_length=200, required=True)
    if description is not UNSET:
        changes["description"] = _check_text(
            description, "description", errors, max_length=10_000, required=False
        )
    if brand is not UNSET:
        changes["brand"] = _check_text(brand, "brand", errors, max_length=100, required=False)
    if price is not UNSET:
        changes["base_price"] = _check_price(price, "price", errors)
    if currency is not UNSET:
        if currency not in _CURRENCY_CODES:
            errors["currency"] = [f"Use one of {', '.join(sorted(_CURRENCY_CODES))}."]
        changes["currency"] = currency
    if category_id is not UNSET:
        changes["category"] = _check_category(category_id, errors)
        if category_id is None and product.status == Product.Status.ACTIVE:
            errors["category"] = ["A product on sale needs a category."]
    if department is not UNSET:
        if department not in Product.Department.values:
            errors["department"] = [f"Use one of {', '.join(Product.Department.values)}."]
        changes["department"] = department
    if attributes is not UNSET:
        changes["attributes"] = _check_attributes(attributes, errors)
    if errors:
        raise ValidationFailed(details=errors)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save()
    if changes.keys() & {"title", "description", "brand", "category"}:
        search_vectors_refresh([locked.pk])
    return locked


def publish_problems(product: Product) -> Errors:
    problems: Errors = {}
    if product.category_id is None:
        problems["category"] = ["Choose a category."]
    if not product.variants.filter(is_active=True).exists():
        problems["variants"] = ["Add at least one active variant."]
    if product.base_price is None or product.base_price <= 0:
        problems["price"] = ["Set a price."]
    return problems


@transaction.atomic
def product_publish(*, product: Product) -> Product:
    """Put a product on sale: it needs a category, a price and an active variant."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if problems := publish_problems(locked):
        raise NotPublishable(
            "The product cannot go on sale yet: "
            + "; ".join(m for ms in problems.values() for m in ms),
            details=problems,
        )
    if locked.status != Product.Status.ACTIVE:
        locked.status = Product.Status.ACTIVE
        locked.published_at = locked.published_at or timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        publish(events.ProductPublished(product_id=locked.pk, vendor_id=locked.vendor_id))
    return locked


@transaction.atomic
def product_archive(*, product: Product) -> Product:
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if locked.status != Product.Status.ARCHIVED:
        locked.status = Product.Status.ARCHIVED
        locked.save(update_fields=["status", "updated_at"])
        publish(events.ProductArchived(product_id=locked.pk, vendor_id=locked.vendor_id))
    return locked


# ---------------------------------------------------------------------- variants
@transaction.atomic
def variant_add(*, product: Product, spec: VariantSpec) -> ProductVariant:
    errors: Errors = {}
    variant = _check_variant(spec, product.size_system, "", errors)
    if errors or variant is None:
        raise ValidationFailed(details=errors)
    if product.variants.filter(size=variant.size, colour__iexact=variant.colour).exists():
        raise VariantExists()
    if product.variants.count() >= MAX_VARIANTS:
        raise ValidationFailed(details={"variants": [f"At most {MAX_VARIANTS} variants."]})
    top = product.variants.aggregate(top=Max("position"))["top"]
    position = 0 if top is None else top + 1
    created = _create_variants(product, [variant], start=position)[0]
    search_vectors_refresh([product.pk])
    return created


@transaction.atomic
def variant_update(
    *,
    variant: ProductVariant,
    size: str = UNSET,
    colour: str = UNSET,
    price_override: Any = UNSET,
    is_active: bool = UNSET,
) -> ProductVariant:
    locked = (
        ProductVariant.objects.select_for_update().select_related("product").get(pk=variant.pk)
    )
    errors: Errors = {}
    if size is not UNSET:
        normalized = normalize_size(size)
        if normalized not in SIZE_SYSTEMS.get(locked.product.size_system, ()):
            errors["size"] = [f"Not a {locked.product.size_system} size."]
        locked.size = normalized
    if colour is not UNSET:
        locked.colour = _check_text(colour, "colour", errors, max_length=40, required=True)
        locked.colour_family = colour_family(locked.colour)
    if price_override is not UNSET:
        locked.price_override = _check_price(price_override, "price", errors, required=False)
    if is_active is not UNSET:
        locked.is_active = bool(is_active)
    if errors:
        raise ValidationFailed(details=errors)
    clash = (
        ProductVariant.objects.filter(
            product=locked.product, size=locked.size, colour__iexact=locked.colour
        )
        .exclude(pk=locked.pk)
        .exists()
    )
    if clash:
        raise VariantExists()
    locked.save()
    search_vectors_refresh([locked.product_id])
    if (
        locked.product.status == Product.Status.ACTIVE
        and not locked.product.variants.filter(is_active=True).exists()
    ):
        raise NotPublishable(
            "A product on sale needs an active variant; archive the product instead.",
            details={"is_active": ["This is the product's last active variant."]},
        )
    return locked


def variant_deactivate(*, variant: ProductVariant) -> ProductVariant:
    return variant_update(variant=variant, is_active=False)


# ---------------------------------------------------------------------- images
def _check_images(
    images: Sequence[ImageSpec], errors: Errors, *, existing: int
) -> list[ImageSpec]:
    if existing + len(images) > MAX_IMAGES:
        errors["images"] = [f"At most {MAX_IMAGES} images per product."]
        return []
    cleaned = []
    for index, spec in enumerate(images):
        url = spec.url.strip()
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 500:
            errors[f"images.{index}.url"] = ["Enter an http(s) URL of at most 500 characters."]
            continue
        alt = spec.alt_text.strip()
        if len(alt) > 200:
            errors[f"images.{index}.alt_text"] = ["Use at most 200 characters."]
            continue
        cleaned.append(ImageSpec(url=url, alt_text=alt))
    return cleaned


@transaction.atomic
def image_add(*, product: Product, url: str, alt_text: str = "") -> ProductImage:
    Product.objects.select_for_update().get(pk=product.pk)  # serialise positions
    errors: Errors = {}
    count = product.images.count()
    specs = _check_images([ImageSpec(url=url, alt_text=alt_text)], errors, existing=count)
    if errors:
        raise ValidationFailed(details={k.replace("images.0.", ""): v for k, v in errors.items()})
    top = product.images.aggregate(top=Max("position"))["top"]
    position = 0 if top is None else top + 1
    return ProductImage.objects.create(
        product=product, url=specs[0].url, alt_text=specs[0].alt_text, position=position
    )


@transaction.atomic
def image_reorder(*, product: Product, image_ids: Sequence[int]) -> list[ProductImage]:
    """Set the order of all of a product's images (the ids, first to last)."""
    Product.objects.select_for_update().get(pk=product.pk)
    images = {image.pk: image for image in product.images.all()}
    if sorted(image_ids) != sorted(images) or len(set(image_ids)) != len(image_ids):
        raise ValidationFailed(details={"order": ["List each image of the product exactly once."]})
    for position, image_id in enumerate(image_ids):
        images[image_id].position = position
    ProductImage.objects.bulk_update(images.values(), ["position"])
    return [images[image_id] for image_id in image_ids]


def image_remove(*, image: ProductImage) -> None:
    image.delete()


# ---------------------------------------------------------------------- categories
@transaction.atomic
def category_create(*, name: str, parent: Category | None = None, position: int = 0) -> Category:
    errors: Errors = {}
    name = _check_text(name, "name", errors, max_length=80, required=True)
    if errors:
        raise ValidationFailed(details=errors)
    base = slugify(f"{parent.slug}-{name}" if parent else name)[:110] or "category"
    slug = base
    suffix = 2
    while Category.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    category = Category.objects.create(name=name, slug=slug, parent=parent, position=position)
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.depth = (parent.depth + 1) if parent else 0
    category.save(update_fields=["path", "depth"])
    from shared_domain.catalog.selectors import category_tree_invalidate

    transaction.on_commit(category_tree_invalidate)
    return category
