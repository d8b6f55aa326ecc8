"""Orders in the admin: read-only records (the state machine is changed only through
the services), with a cancel action that goes through them and is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from shared_domain.common.admin import ReadOnlyAdmin
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import DomainError
from shared_domain.orders.models import Order, OrderItem, OrderStatusChange, VendorOrder
from shared_domain.orders.services import order_cancel_by_staff


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()


class VendorOrderInline(_ReadOnlyInline):
    model = VendorOrder
    fields = ("vendor", "status", "subtotal", "commission_rate", "commission_amount",
              "vendor_payout")  # fmt: skip


class OrderItemInline(_ReadOnlyInline):
    model = OrderItem
    fields = ("sku", "title", "size", "colour", "quantity", "unit_price", "line_total")


class HistoryInline(_ReadOnlyInline):
    model = OrderStatusChange
    fields = ("created_at", "vendor_order", "from_status", "to_status", "actor", "reason")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "status", "total", "currency", "placed_at")
    list_filter = ("status", "currency")
    search_fields = ("number", "customer__email")
    date_hierarchy = "placed_at"
    list_select_related = ("customer",)
    inlines = (VendorOrderInline, OrderItemInline, HistoryInline)
    # Contexts above orders add theirs (payments: refund in full).
    actions: tuple[Any, ...] = ("cancel_orders",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Cancel the selected orders (before shipment)")
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        for order in queryset:
            try:
                order_cancel_by_staff(staff=request.user, order_id=order.pk)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, f"{order.number}: {error.message}", messages.ERROR)
            else:
                audit_record(action="order_cancel", actor_id=request.user.pk, subject=order)
                self.message_user(request, f"{order.number} cancelled.", messages.SUCCESS)


@admin.register(VendorOrder)
class VendorOrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "vendor", "status", "subtotal", "commission_amount")
    list_filter = ("status",)
    search_fields = ("order__number", "vendor__store_name")
    list_select_related = ("order", "vendor")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
