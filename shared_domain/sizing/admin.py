"""Staff view of the vendors' size charts: read-only, since vendors keep them through
the back office. Body profiles are the customers' own and are not shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shared_domain.sizing.models import SizeChart, SizeChartRow


class SizeChartRowInline(admin.TabularInline[SizeChartRow, SizeChart]):
    model = SizeChartRow
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SizeChart)
class SizeChartAdmin(admin.ModelAdmin[SizeChart]):
    list_display = ("id", "name", "vendor", "brand", "category", "fit_type", "updated_at")
    list_filter = ("fit_type",)
    search_fields = ("name", "brand")
    list_select_related = ("vendor", "category")
    inlines = (SizeChartRowInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
