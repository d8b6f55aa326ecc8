from __future__ import annotations

from django.contrib import admin

from shared_domain.catalog.models import Category, Product, ProductImage, ProductVariant
from shared_domain.common.admin import AuditedAdmin


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("name", "slug", "parent", "position", "depth")
    search_fields = ("name", "slug")
    readonly_fields = ("path", "depth")


class VariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0
    fields = ("sku", "size", "colour", "colour_family", "price_override", "is_active", "position")
    readonly_fields = ("colour_family",)


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ("id", "title", "vendor", "status", "base_price", "currency", "category")
    list_filter = ("status", "department", "currency")
    search_fields = ("title", "brand", "slug", "variants__sku")
    raw_id_fields = ("vendor", "category")
    readonly_fields = ("created_at", "updated_at", "published_at", "rating_avg", "rating_count")
    inlines = (VariantInline, ImageInline)
