"""Writes of the catalog: products with their variants, stock and images, publishing
rules, categories. Callers import from here; the modules are split by what they
write. Every write that changes searchable text refreshes the product's search vector
in the same transaction."""

from shared_domain.catalog.services.categories import (
    CategoryChanges,
    category_create,
    category_delete,
    category_parent_problems,
    category_update,
)
from shared_domain.catalog.services.images import (
    MAX_IMAGES,
    ImageSpec,
    image_add,
    image_remove,
    image_reorder,
)
from shared_domain.catalog.services.products import (
    ProductChanges,
    product_create,
    product_create_vendor,
    product_update,
)
from shared_domain.catalog.services.publishing import (
    product_archive,
    product_publish,
    publish_problems,
)
from shared_domain.catalog.services.reviews import MAX_REVIEW_TEXT, review_add
from shared_domain.catalog.services.validation import MAX_PRICE
from shared_domain.catalog.services.variants import (
    MAX_VARIANTS,
    VariantChanges,
    VariantSpec,
    variant_add,
    variant_deactivate,
    variant_stock_set,
    variant_update,
)

__all__ = [
    "MAX_IMAGES",
    "MAX_PRICE",
    "MAX_REVIEW_TEXT",
    "MAX_VARIANTS",
    "CategoryChanges",
    "ImageSpec",
    "ProductChanges",
    "VariantChanges",
    "VariantSpec",
    "category_create",
    "category_delete",
    "category_parent_problems",
    "category_update",
    "image_add",
    "image_remove",
    "image_reorder",
    "product_archive",
    "product_create",
    "product_create_vendor",
    "product_publish",
    "product_update",
    "publish_problems",
    "review_add",
    "variant_add",
    "variant_deactivate",
    "variant_stock_set",
    "variant_update",
]
