"""Shapes of the catalog on v1: the read models of shared_domain.catalog.selectors (a
test keeps each output serializer's fields equal to its dataclass's; the back office
renders products, variants and images with them too) and the public listing's query."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_domain.catalog.params import DEPARTMENTS, PRODUCT_SORTS


def money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)


class RefOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class VendorCardOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    verified = serializers.BooleanField()


class ProductCardOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    price = money()
    currency = serializers.CharField()
    brand = serializers.CharField()
    department = serializers.CharField()
    category = RefOut(allow_null=True)
    vendor = VendorCardOut()
    rating = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        allow_null=True,
        help_text="Average stars (decimal string); null without reviews.",
    )
    rating_count = serializers.IntegerField()
    reviews_count = serializers.IntegerField(help_text="Number of reviews.")
    sizes_in_stock = serializers.ListField(child=serializers.CharField())
    colours = serializers.ListField(child=serializers.CharField(), help_text="Colour families.")
    image = serializers.CharField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class VariantOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    size = serializers.CharField()
    colour = serializers.CharField()
    colour_family = serializers.CharField()
    price = money()
    is_active = serializers.BooleanField()
    available = serializers.IntegerField(
        help_text="Units to sell: on hand minus allocated (0 if inactive)."
    )
    in_stock = serializers.BooleanField()


class ImageOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    url = serializers.CharField()
    alt_text = serializers.CharField()
    position = serializers.IntegerField()


class RatingOut(serializers.Serializer[Any]):
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class ProductDetailOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    brand = serializers.CharField()
    department = serializers.CharField()
    status = serializers.CharField()
    price = money()
    currency = serializers.CharField()
    size_system = serializers.CharField()
    attributes = serializers.DictField()
    category = RefOut(allow_null=True)
    vendor = VendorCardOut()
    rating = RatingOut(help_text="Average stars (null without reviews) and review count.")
    reviews_count = serializers.IntegerField(help_text="Number of reviews.")
    variants = VariantOut(many=True)
    images = ImageOut(many=True)
    sizes_in_stock = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)


class FitSignalOut(serializers.Serializer[Any]):
    verdict = serializers.CharField(
        allow_null=True,
        help_text="runs_small, true_to_size or runs_large; null until enough units "
        "were delivered (see README, Sizing).",
    )
    returns_too_small = serializers.IntegerField(help_text="Units returned as too small.")
    returns_too_large = serializers.IntegerField(help_text="Units returned as too large.")
    kept = serializers.IntegerField(help_text="Units delivered and not returned.")


class ProductDetailFitOut(ProductDetailOut):
    """The public product detail: the catalog's, with the sizing context's fit signal."""

    fit_signal = FitSignalOut()


class ProductPageOut(serializers.Serializer[Any]):
    items = ProductCardOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True, help_text="URL of the next page, if any.")


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/CategoryNodeOut"}})
class CategoryChildrenField(serializers.ListField):
    """A node's children, documented as nodes: the tree's type refers to itself."""


class CategoryNodeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    children = CategoryChildrenField(
        child=serializers.DictField(), help_text="Nodes of the same shape."
    )


class CategoryTreeOut(serializers.Serializer[Any]):
    items = CategoryNodeOut(many=True)


class ProductListQuery(serializers.Serializer[Any]):
    search = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.CharField(required=False, max_length=120)
    vendor = serializers.CharField(required=False, max_length=140)
    brand = serializers.CharField(required=False, max_length=100)
    size = serializers.ListField(child=serializers.CharField(max_length=16), required=False)
    colour = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, min_value=Decimal(0)
    )
    max_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, min_value=Decimal(0)
    )
    in_stock = serializers.BooleanField(required=False, default=False)
    department = serializers.ChoiceField(choices=DEPARTMENTS, required=False)
    ordering = serializers.ChoiceField(choices=PRODUCT_SORTS, required=False)
    sort = serializers.ChoiceField(choices=PRODUCT_SORTS, required=False)  # alias (v2's name)
    cursor = serializers.CharField(required=False, max_length=500)
    page_size = serializers.IntegerField(required=False, min_value=1)


class ReviewOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    rating = serializers.IntegerField(help_text="1 to 5 stars.")
    text = serializers.CharField(help_text="Plain text as the customer wrote it (not HTML).")
    author_name = serializers.CharField(help_text='First name and initial, e.g. "Ada O.".')
    created_at = serializers.DateTimeField()


class ReviewPageOut(serializers.Serializer[Any]):
    items = ReviewOut(many=True)
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()


class ReviewListQuery(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
