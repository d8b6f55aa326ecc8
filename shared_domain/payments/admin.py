"""Staff view of payments: read-only (providers and the payments services drive
them). Flagged attempts (amount/currency mismatch, paid after close, duplicate) are
one filter away."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shared_domain.payments.models import LedgerEntry, Payment, Refund, WebhookEvent


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
