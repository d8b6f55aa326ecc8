"""Staff view of shipments: read-only, since carriers and vendors drive them through
the shipping services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shared_domain.shipping.models import Shipment, TrackingEvent


class TrackingEventInline(admin.TabularInline[TrackingEvent, Shipment]):
    model = TrackingEvent
    fields = ("occurred_at", "status", "description", "location", "external_id", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin[Shipment]):
    list_display = ("id", "vendor_order_id", "carrier", "tracking_number", "status", "shipped_at")
    list_filter = ("carrier", "status")
    search_fields = ("tracking_number",)
    readonly_fields = (
        "vendor_order",
        "carrier",
        "tracking_number",
        "status",
        "shipped_at",
        "delivered_at",
        "updated_at",
    )
    inlines = (TrackingEventInline,)
    list_select_related = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
