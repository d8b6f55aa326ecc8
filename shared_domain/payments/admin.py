"""Staff view of payments: read-only (providers and the payments services drive
them). Flagged attempts (amount/currency mismatch, paid after close, duplicate) are
one filter away. Orders get a "refund in full" action, through the refunds service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from shared_domain.common.errors import DomainError
from shared_domain.orders.admin import OrderAdmin
from shared_domain.payments.models import LedgerEntry, Payment, Refund, WebhookEvent
from shared_domain.payments.services import order_refund_in_full


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = (
        "reference", "order_id", "provider", "status", "amount", "currency",
        "amount_refunded", "flag", "created_at",
    )  # fmt: skip
    list_filter = ("status", "provider", "flag")
    search_fields = ("reference", "provider_id")
    readonly_fields = tuple(f.name for f in Payment._meta.fields)


@admin.register(WebhookEvent)
class WebhookEventAdmin(_ReadOnly):
    list_display = ("provider", "event_key", "event_type", "reference", "outcome", "received_at")
    list_filter = ("provider", "outcome")
    search_fields = ("event_key", "reference")
    readonly_fields = tuple(f.name for f in WebhookEvent._meta.fields)


@admin.register(Refund)
class RefundAdmin(_ReadOnly):
    list_display = ("reference", "payment", "vendor_order_id", "amount", "currency", "status")
    list_filter = ("status",)
    readonly_fields = tuple(f.name for f in Refund._meta.fields)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(_ReadOnly):
    list_display = ("vendor_id", "vendor_order_id", "kind", "amount", "currency", "created_at")
    list_filter = ("kind", "currency")
    readonly_fields = tuple(f.name for f in LedgerEntry._meta.fields)


@admin.action(description="Refund the selected orders in full (through the provider)")
def refund_orders(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    """Every paid part of each order, through the refunds service (the same rules as
    the staff refund API; each provider refund audited)."""
    for order in queryset:
        try:
            done = order_refund_in_full(
                actor=request.user,  # type: ignore[arg-type]
                order_id=order.pk,
                reason="Refunded by staff in the admin",
            )
        except DomainError as error:
            modeladmin.message_user(request, f"{order}: {error.code}: {error.message}",
                                    messages.ERROR)  # fmt: skip
            continue
        for vendor_order_id, problem in done.problems.items():
            modeladmin.message_user(request, f"{order} part {vendor_order_id}: {problem}",
                                    messages.ERROR)  # fmt: skip
        if done.refunds:
            total = sum(r.amount for r in done.refunds)
            pending = sum(1 for r in done.refunds if r.status == "pending")
            note = f" ({pending} pending at the provider)" if pending else ""
            modeladmin.message_user(
                request,
                f"{order}: {len(done.refunds)} part(s) refunded in full, "
                f"{total} minor units{note}.",
                messages.SUCCESS,
            )


# The orders admin sits below payments and cannot know refunds: payments adds its
# action to it (the admin registry is the extension point Django offers).
OrderAdmin.actions = (*OrderAdmin.actions, refund_orders)
