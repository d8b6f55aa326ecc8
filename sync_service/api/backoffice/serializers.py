"""Shapes of the vendor back office on v1: its inputs, the stock answer and the
product list rows (a test keeps the outputs' fields equal to their dataclasses')."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from shared_domain.catalog.params import DEPARTMENTS, PRODUCT_STATUSES
from shared_domain.catalog.services.validation import CURRENCY_CODES
from shared_domain.catalog.vocabulary import SIZE_SYSTEMS
from shared_domain.inventory.services import MAX_STOCK
from sync_service.api.catalog.serializers import RefOut, money
from sync_service.api.schema import documented
from sync_service.api.strict import StrictSerializer

# Checked by the catalog service (with its messages), documented here.
CURRENCY = {"type": "string", "enum": sorted(CURRENCY_CODES)}
DEPARTMENT = {"type": "string", "enum": list(DEPARTMENTS)}
SIZE_SYSTEM = {"type": "string", "enum": list(SIZE_SYSTEMS)}


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
    currency = documented(
        serializers.CharField(max_length=3, required=False, default="NGN"), CURRENCY
    )
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    department = documented(
        serializers.CharField(max_length=10, required=False, default="unisex"), DEPARTMENT
    )
    size_system = documented(
        serializers.CharField(max_length=10, required=False, default="letter"), SIZE_SYSTEM
    )
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
    currency = documented(serializers.CharField(max_length=3, required=False), CURRENCY)
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True)
    department = documented(serializers.CharField(max_length=10, required=False), DEPARTMENT)
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
