"""Writes of the catalog: products with their variants, stock and images, publishing
rules, categories. Every write that changes searchable text refreshes the product's
search vector in the same transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict
from urllib.parse import urlsplit

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, QuerySet, Value
from django.db.models.functions import Concat, Lower, Substr
from django.utils import timezone
from django.utils.text import slugify

from shared_domain.accounts.selectors import vendor_profile_id_for_user
from shared_domain.catalog import events
from shared_domain.catalog.errors import NotPublishable, SkuTaken, VariantExists
from shared_domain.catalog.models import (
    CURRENCIES,
    SIZE_COLOUR_CONSTRAINT,
    SKU_CONSTRAINT,
    Category,
    Product,
    ProductImage,
    ProductVariant,
)
from shared_domain.catalog.search_index import search_vectors_refresh
from shared_domain.catalog.selectors import VariantStock, category_tree_invalidate
from shared_domain.catalog.vocabulary import SIZE_SYSTEMS, colour_family, normalize_size
from shared_domain.common.errors import Conflict, PermissionDenied, ValidationFailed
from shared_domain.common.events import publish
from shared_domain.common.partial import model_update
from shared_domain.inventory.services import quantity_problems, stock_create, stock_set

MAX_PRICE = Decimal("9999999999.99")
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


class VariantChanges(TypedDict, total=False):
    size: str
    colour: str
    price_override: Any
    is_active: bool


class CategoryChanges(TypedDict, total=False):
    name: str
    parent: Category | None
    position: int


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
VARIANT_UPDATE_FIELDS = ("size", "colour", "colour_family", "price_override", "is_active")
CATEGORY_UPDATE_FIELDS = ("name", "parent", "position")


def _known_keys(data: Any, shape: Any) -> None:
    """A key the changes type does not name is a caller's mistake, never ignored."""
    unknown = set(data) - set(shape.__optional_keys__)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")


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
    if problems := quantity_problems(spec.stock):
        errors[f"{prefix}stock"] = problems
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


def _create_variants(
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
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
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


# ---------------------------------------------------------------------- products
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
    _create_variants(product, clean_variants)
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
    _known_keys(data, ProductChanges)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    errors: Errors = {}
    clean: dict[str, Any] = {}
    if "title" in data:
        clean["title"] = _check_text(data["title"], "title", errors, max_length=200, required=True)
    if "description" in data:
        clean["description"] = _check_text(
            data["description"], "description", errors, max_length=10_000, required=False
        )
    if "brand" in data:
        clean["brand"] = _check_text(
            data["brand"], "brand", errors, max_length=100, required=False
        )
    if "price" in data:
        clean["base_price"] = _check_price(data["price"], "price", errors)
    if "currency" in data:
        if data["currency"] not in _CURRENCY_CODES:
            errors["currency"] = [f"Use one of {', '.join(sorted(_CURRENCY_CODES))}."]
        clean["currency"] = data["currency"]
    if "category_id" in data:
        clean["category"] = _check_category(data["category_id"], errors)
        if data["category_id"] is None and locked.status == Product.Status.ACTIVE:
            errors["category"] = ["A product on sale needs a category."]
    if "department" in data:
        if data["department"] not in Product.Department.values:
            errors["department"] = [f"Use one of {', '.join(Product.Department.values)}."]
        clean["department"] = data["department"]
    if "attributes" in data:
        clean["attributes"] = _check_attributes(data["attributes"], errors)
    if errors:
        raise ValidationFailed(details=errors)
    changed = model_update(instance=locked, fields=PRODUCT_UPDATE_FIELDS, data=clean)
    if changed & {"title", "description", "brand", "category"}:
        search_vectors_refresh([locked.pk])
    return locked


def publish_problems(product: Product) -> Errors:
    problems: Errors = {}
    if product.category_id is None:
        problems["category"] = ["Choose a category."]
    if not product.variants.filter(is_active=True).exists():
        problems["variants"] = ["Add at least one active variant."]
    return problems


@transaction.atomic
def product_publish(*, product: Product) -> Product:
    """Put a product on sale: it needs a category and an active variant (a price it
    always has). Every product goes on sale through here, which sets published_at."""
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
def _lock_product(product_id: int) -> Product:
    """Lock a product before changing its variants: one writer at a time keeps the
    variant limit, the positions and the size/colour rule true under concurrency."""
    return Product.objects.select_for_update().get(pk=product_id)


@transaction.atomic
def variant_add(*, product: Product, spec: VariantSpec) -> ProductVariant:
    locked = _lock_product(product.pk)
    errors: Errors = {}
    variant = _check_variant(spec, locked.size_system, "", errors)
    if errors or variant is None:
        raise ValidationFailed(details=errors)
    if _size_colour_taken(locked, variant.size, variant.colour):
        raise VariantExists()
    existing = locked.variants.aggregate(count=Count("id"), top=Max("position"))
    if existing["count"] >= MAX_VARIANTS:
        raise ValidationFailed(details={"variants": [f"At most {MAX_VARIANTS} variants."]})
    position = 0 if existing["top"] is None else existing["top"] + 1
    created = _create_variants(locked, [variant], start=position)[0]
    search_vectors_refresh([locked.pk])
    return created


@transaction.atomic
def variant_update(*, variant: ProductVariant, data: VariantChanges) -> ProductVariant:
    """Change the fields in `data`. The rules that involve other variants (one of each
    size and colour, an active variant while on sale) are checked before writing."""
    _known_keys(data, VariantChanges)
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
        text = _check_text(data["colour"], "colour", errors, max_length=40, required=True)
        clean["colour"], clean["colour_family"] = text, colour_family(text)
    if "price_override" in data:
        clean["price_override"] = _check_price(
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
def _next_category_id() -> int:
    # The path holds the category's own id, and a category never exists without its
    # path (a CHECK): take the id before the insert.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Category._meta.db_table]
        )
        row = cursor.fetchone()
    assert row is not None  # noqa: S101 - nextval returns one row
    return int(row[0])


def _category_slug(name: str, parent: Category | None) -> str:
    base = slugify(f"{parent.slug}-{name}" if parent else name)[:110] or "category"
    slug = base
    suffix = 2
    while Category.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _check_category_name(
    name: str, parent: Category | None, errors: Errors, *, exclude: int | None = None
) -> str:
    name = _check_text(name, "name", errors, max_length=80, required=True)
    siblings = Category.objects.filter(parent=parent, name=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if name and siblings.exists():
        errors["name"] = ["A category with this name is already there."]
    return name


def _check_position(position: Any, errors: Errors) -> int:
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 2**31:
        errors["position"] = ["Enter a whole number from 0."]
        return 0
    return position


def category_parent_problems(*, category: Category, parent: Category | None) -> Errors:
    """Why `category` cannot move under `parent` (nothing: an empty dict)."""
    if parent is not None and parent.path.startswith(category.path):
        return {"parent": ["A category cannot move under itself or its subcategories."]}
    return {}


def _products_under(path: str) -> QuerySet[Product]:
    return Product.objects.filter(category__path__startswith=path)


@transaction.atomic
def category_create(*, name: str, parent: Category | None = None, position: int = 0) -> Category:
    if parent is not None:  # its path cannot change until this one is written
        parent = Category.objects.select_for_update().get(pk=parent.pk)
    errors: Errors = {}
    name = _check_category_name(name, parent, errors)
    position = _check_position(position, errors)
    if errors:
        raise ValidationFailed(details=errors)
    pk = _next_category_id()
    category = Category.objects.create(
        pk=pk,
        name=name,
        slug=_category_slug(name, parent),
        parent=parent,
        position=position,
        path=f"{parent.path if parent else '/'}{pk}/",
        depth=(parent.depth + 1) if parent else 0,
    )
    transaction.on_commit(category_tree_invalidate)
    return category


@transaction.atomic
def category_update(*, category: Category, data: CategoryChanges) -> Category:
    """Rename, reorder or move a category. A move rewrites the paths of the whole
    subtree; renames and moves refresh the search vectors of the products below (they
    hold the names of their categories and ancestors)."""
    _known_keys(data, CategoryChanges)
    # Moves touch many rows and must see a tree nobody else is changing: lock it all.
    list(Category.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    locked = Category.objects.select_related("parent").get(pk=category.pk)
    new_parent = data.get("parent", locked.parent)
    if new_parent is not None:
        new_parent = Category.objects.get(pk=new_parent.pk)
    moved = (new_parent.pk if new_parent else None) != locked.parent_id
    errors: Errors = {}
    clean: dict[str, Any] = {}
    if moved:
        errors.update(category_parent_problems(category=locked, parent=new_parent))
        clean["parent"] = new_parent
    if "name" in data or moved:
        clean["name"] = _check_category_name(
            data.get("name", locked.name), new_parent, errors, exclude=locked.pk
        )
    if "position" in data:
        clean["position"] = _check_position(data["position"], errors)
    if errors:
        raise ValidationFailed(details=errors)
    if moved:
        old_path = locked.path
        new_path = f"{new_parent.path if new_parent else '/'}{locked.pk}/"
        depth = (new_parent.depth + 1) if new_parent else 0
        Category.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (depth - locked.depth),
        )
        locked.path, locked.depth = new_path, depth
    changed = model_update(instance=locked, fields=CATEGORY_UPDATE_FIELDS, data=clean)
    if changed & {"name", "parent"}:
        search_vectors_refresh(_products_under(locked.path).values_list("pk", flat=True))
    transaction.on_commit(category_tree_invalidate)
    return locked


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category nothing is filed under (no subcategories, no products)."""
    locked = Category.objects.select_for_update().get(pk=category.pk)
    if locked.children.exists() or locked.products.exists():
        raise Conflict("Only a category without subcategories and products can be deleted.")
    locked.delete()
    transaction.on_commit(category_tree_invalidate)
