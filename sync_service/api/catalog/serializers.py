"""Shapes of the catalog on v1: the read models of shared_domain.catalog.selectors (a
test keeps each output serializer's fields equal to its dataclass's), and the inputs
of the public listing and the vendor back office."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from shared_domain.catalog.params import DEPARTMENTS, PRODUCT_SORTS, PRODUCT_STATUSES
from shared_domain.inventory.services import MAX_STOCK
from sync_service.api.strict import StrictSerializer


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
        help_text="Average stars; null without reviews (reviews are not collected yet).",
    )
    rating_count = serializers.IntegerField()
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
    rating = RatingOut(
        help_text="Average stars and review count (reviews are not collected yet: null and 0)."
    )
    variants = VariantOut(many=True)
    images = ImageOut(many=True)
    sizes_in_stock = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)


class ProductPageOut(serializers.Serializer[Any]):
    items = ProductCardOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True, help_text="URL of the next page, if any.")


class CategoryNodeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    children = serializers.ListField(
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
    cursor = serializers.CharField(required=False, max_length=500)
    page_size = serializers.IntegerField(required=False, min_value=1)


# ---------------------------------------------------------------------- vendor back office
class VariantIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    size = serializers.CharField(max_length=16)
    colour = serializers.CharField(max_length=40)
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False, default=0)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=Decimal("0.01")
    )
    is_active = serializers.BooleanField(required=False, default=True)


class ImageIn(StrictSerializer):
    url = serializers.URLField(max_length=500)
    alt_text = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ProductCreateIn(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    category = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(max_length=3, required=False, default="NGN")
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    department = serializers.CharField(max_length=10, required=False, default="unisex")
    size_system = serializers.CharField(max_length=10, required=False, default="letter")
    attributes = serializers.DictField(required=False, default=dict)
    variants = VariantIn(many=True, required=False, default=list)
    images = ImageIn(many=True, required=False, default=list)


class ProductUpdateIn(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    category = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    currency = serializers.CharField(max_length=3, required=False)
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True)
    department = serializers.CharField(max_length=10, required=False)
    attributes = serializers.DictField(required=False)


class VariantUpdateIn(StrictSerializer):
    size = serializers.CharField(max_length=16, required=False)
    colour = serializers.CharField(max_length=40, required=False)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=Decimal("0.01")
    )
    is_active = serializers.BooleanField(required=False)


class StockIn(StrictSerializer):
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_STOCK)


class StockOut(serializers.Serializer[Any]):
    variant_id = serializers.IntegerField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    allocated = serializers.IntegerField()
    available = serializers.IntegerField()


class ImageOrderIn(StrictSerializer):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=50)


class VendorProductListQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=PRODUCT_STATUSES, required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.CharField(required=False, max_length=120)
    cursor = serializers.CharField(required=False, max_length=30)
    page_size = serializers.IntegerField(required=False, min_value=1)


class VendorProductRowOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    status = serializers.CharField()
    price = money()
    currency = serializers.CharField()
    category = RefOut(allow_null=True)
    variant_count = serializers.IntegerField()
    stock_total = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class VendorProductPageOut(serializers.Serializer[Any]):
    items = VendorProductRowOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)
