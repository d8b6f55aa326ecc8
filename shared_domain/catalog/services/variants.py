"""Writes of variants: size x colour with a unique SKU and their initial stock. Concurrent
changes to one product's variants are applied one at a time (the product row is locked)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Value
from django.db.models.functions import Lower

from shared_domain.catalog.errors import NotPublishable, SkuTaken, VariantExists
from shared_domain.catalog.models import (
    SIZE_COLOUR_CONSTRAINT,
    SKU_CONSTRAINT,
    Product,
    ProductVariant,
)
from shared_domain.catalog.search_index import search_vectors_refresh
from shared_domain.catalog.selectors import VariantStock
from shared_domain.catalog.services.validation import (
    Errors,
    check_price,
    check_text,
    clean_sku,
    known_keys,
)
from shared_domain.catalog.vocabulary import SIZE_SYSTEMS, colour_family, normalize_size
from shared_domain.common.errors import ValidationFailed
from shared_domain.common.integrity import violated_constraint
from shared_domain.common.partial import model_update
from shared_domain.inventory.services import quantity_problems, stock_create, stock_set

MAX_VARIANTS = 200


@dataclass(frozen=True)
class VariantSpec:
    sku: str
    size: str
    colour: str
    stock: int = 0
    price_override: Decimal | None = None
    is_active: bool = True


class VariantChanges(TypedDict, total=False):
    size: str
    colour: str
    price_override: Any
    is_active: bool


VARIANT_UPDATE_FIELDS = ("size", "colour", "colour_family", "price_override", "is_active")


def check_variant(
    spec: VariantSpec, size_system: str, prefix: str, errors: Errors
) -> VariantSpec | None:
    before = len(errors)
    sku = clean_sku(spec.sku, f"{prefix}sku", errors)
    size = normalize_size(spec.size)
    if size not in SIZE_SYSTEMS.get(size_system, ()):
        allowed = ", ".join(SIZE_SYSTEMS.get(size_system, ()))
        errors[f"{prefix}size"] = [f"Not a {size_system} size; use one of {allowed}."]
    colour = check_text(spec.colour, f"{prefix}colour", errors, max_length=40, required=True)
    if problems := quantity_problems(spec.stock):
        errors[f"{prefix}stock"] = problems
    price = check_price(spec.price_override, f"{prefix}price", errors, required=False)
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


def check_variants(
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
        variant = check_variant(spec, size_system, prefix, errors)
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


def _ensure_skus_free(skus: Iterable[str]) -> None:
    taken = sorted(ProductVariant.objects.filter(sku__in=list(skus)).values_list("sku", flat=True))
    if taken:
        raise SkuTaken(
            f"SKU {taken[0]} is already used." if len(taken) == 1 else "SKUs already used.",
            details={"sku": taken},
        )


def _size_colour_taken(
    product: Product, size: str, colour: str, *, exclude: int | None = None
) -> bool:
    """Whether another variant of the product has this size and colour, compared as
    the database constraint compares them (colour in lower case)."""
    same = (
        ProductVariant.objects.filter(product=product, size=size)
        .alias(colour_key=Lower("colour"))
        .filter(colour_key=Lower(Value(colour)))
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    return same.exists()


def create_variants(
    product: Product, specs: Sequence[VariantSpec], start: int = 0
) -> list[ProductVariant]:
    skus = [spec.sku for spec in specs]
    _ensure_skus_free(skus)
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
        constraint = violated_constraint(exc)
        if constraint == SKU_CONSTRAINT:
            # A concurrent writer took a SKU after the check above and has committed:
            # checking again names exactly the SKUs taken.
            _ensure_skus_free(skus)
            raise SkuTaken() from None
        if constraint == SIZE_COLOUR_CONSTRAINT:
            raise VariantExists() from None
        raise
    stock_create(
        quantities=[(variant.pk, spec.stock) for variant, spec in zip(created, specs, strict=True)]
    )
    return created


def _lock_product(product_id: int) -> Product:
    """Lock a product before changing its variants: one writer at a time keeps the
    variant limit, the positions and the size/colour rule true under concurrency."""
    return Product.objects.select_for_update().get(pk=product_id)


@transaction.atomic
def variant_add(*, product: Product, spec: VariantSpec) -> ProductVariant:
    locked = _lock_product(product.pk)
    errors: Errors = {}
    variant = check_variant(spec, locked.size_system, "", errors)
    if errors or variant is None:
        raise ValidationFailed(details=errors)
    if _size_colour_taken(locked, variant.size, variant.colour):
        raise VariantExists()
    existing = locked.variants.aggregate(count=Count("id"), top=Max("position"))
    if existing["count"] >= MAX_VARIANTS:
        raise ValidationFailed(details={"variants": [f"At most {MAX_VARIANTS} variants."]})
    position = 0 if existing["top"] is None else existing["top"] + 1
    created = create_variants(locked, [variant], start=position)[0]
    search_vectors_refresh([locked.pk])
    return created


@transaction.atomic
def variant_update(*, variant: ProductVariant, data: VariantChanges) -> ProductVariant:
    """Change the fields in `data`. The rules that involve other variants (one of each
    size and colour, an active variant while on sale) are checked before writing."""
    known_keys(data, VariantChanges)
    product = _lock_product(variant.product_id)
    locked = ProductVariant.objects.select_for_update().get(pk=variant.pk)
    locked.product = product
    errors: Errors = {}
    clean: dict[str, Any] = {}
    if "size" in data:
        normalized = normalize_size(data["size"])
        if normalized not in SIZE_SYSTEMS.get(product.size_system, ()):
            errors["size"] = [f"Not a {product.size_system} size."]
        clean["size"] = normalized
    if "colour" in data:
        text = check_text(data["colour"], "colour", errors, max_length=40, required=True)
        clean["colour"], clean["colour_family"] = text, colour_family(text)
    if "price_override" in data:
        clean["price_override"] = check_price(
            data["price_override"], "price", errors, required=False
        )
    if "is_active" in data:
        clean["is_active"] = bool(data["is_active"])
    if errors:
        raise ValidationFailed(details=errors)
    size, colour = clean.get("size", locked.size), clean.get("colour", locked.colour)
    if (size, colour) != (locked.size, locked.colour) and _size_colour_taken(
        product, size, colour, exclude=locked.pk
    ):
        raise VariantExists()
    if (
        locked.is_active
        and clean.get("is_active") is False
        and product.status == Product.Status.ACTIVE
        and not product.variants.filter(is_active=True).exclude(pk=locked.pk).exists()
    ):
        raise NotPublishable(
            "A product on sale needs an active variant; archive the product instead.",
            details={"is_active": ["This is the product's last active variant."]},
        )
    changed = model_update(instance=locked, fields=VARIANT_UPDATE_FIELDS, data=clean)
    if changed & {"colour", "is_active"}:  # the colours of active variants are searchable
        search_vectors_refresh([product.pk])
    return locked


def variant_deactivate(*, variant: ProductVariant) -> ProductVariant:
    return variant_update(variant=variant, data={"is_active": False})


def variant_stock_set(*, variant: ProductVariant, quantity: int) -> VariantStock:
    """Set a variant's units on hand (never below what orders hold), in stock_set's
    transaction."""
    stock = stock_set(variant_id=variant.pk, quantity=quantity)
    return VariantStock(
        variant_id=variant.pk,
        sku=variant.sku,
        quantity=stock.quantity,
        allocated=stock.allocated,
        available=stock.available,
    )
