"""What other contexts need to know about a product to pick its size chart."""

from __future__ import annotations

from dataclasses import dataclass

from shared_domain.catalog.models import Category, Product
from shared_domain.common.errors import NotFound


@dataclass(frozen=True)
class ProductFitFacts:
    vendor_id: int
    brand: str
    # The product's category and its ancestors, the category itself first.
    category_ids: tuple[int, ...]
    department: str = "unisex"
    size_system: str = "letter"


def product_fit_facts(*, product_id: int) -> ProductFitFacts:
    """An active product's vendor, brand and category line; anything else is not found."""
    row = (
        Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE)
        .values_list("vendor_id", "brand", "category__path", "department", "size_system")
        .first()
    )
    if row is None:
        raise NotFound("No such product.")
    vendor_id, brand, path, department, size_system = row
    ids = tuple(int(part) for part in reversed((path or "").strip("/").split("/")) if part)
    return ProductFitFacts(
        vendor_id=vendor_id,
        brand=brand,
        category_ids=ids,
        department=department,
        size_system=size_system,
    )


def product_brands(*, product_ids: list[int]) -> dict[int, str]:
    """The brand of each product named, whatever its status (one query)."""
    rows = Product.objects.filter(pk__in=product_ids).values_list("pk", "brand")
    return dict(rows)


def category_exists(*, category_id: int) -> bool:
    return Category.objects.filter(pk=category_id).exists()
