"""Shapes of the payments endpoints on v1."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shared_domain.payments.providers.base import provider_codes
from sync_service.api.orders.serializers import VendorRefOut
from sync_service.api.schema import documented
from sync_service.api.strict import StrictSerializer


class PaymentStartIn(StrictSerializer):
    provider = documented(
        serializers.CharField(help_text="`paystack` (NGN default) or `stripe`."),
        {"type": "string", "enum": provider_codes()},
    )


class PaymentStartOut(serializers.Serializer[Any]):
    reference = serializers.CharField(help_text="Our reference of the attempt.")
    provider = serializers.CharField()
    status = serializers.CharField(help_text="pending until the provider reports.")
    amount = serializers.IntegerField(help_text="In the currency's minor unit (kobo, cents).")
    currency = serializers.CharField()
    authorization_url = serializers.CharField(
        required=False, help_text="Paystack: the page where the customer pays."
    )
    client_secret = serializers.CharField(
        required=False, help_text="Stripe: the PaymentIntent's client secret for Stripe.js."
    )


class PaymentWebhookReceiptOut(serializers.Serializer[Any]):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField(help_text="The event was already received.")


class BalanceOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    balance = serializers.CharField(help_text="Decimal string: what the marketplace owes you.")
    balance_minor = serializers.IntegerField(help_text="The same, in minor units.")
    entries = serializers.IntegerField(help_text="Ledger entries counted.")


class VendorBalanceOut(serializers.Serializer[Any]):
    balances = BalanceOut(many=True)


class RefundItemIn(StrictSerializer):
    item_id = serializers.IntegerField(help_text="An order item of the vendor order.")
    quantity = serializers.IntegerField(min_value=1, help_text="Units refunded (and returned).")


class VendorRefundIn(StrictSerializer):
    amount = serializers.IntegerField(
        required=False, min_value=1, help_text="Minor units; default: the items' value, or all."
    )
    items = RefundItemIn(many=True, required=False, help_text="Units returned to stock.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


class StaffRefundIn(VendorRefundIn):
    vendor_order_id = serializers.IntegerField(help_text="The part of the order to refund.")


class RefundOut(serializers.Serializer[Any]):
    reference = serializers.CharField()
    order_id = serializers.IntegerField()
    vendor_order_id = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="Minor units.")
    currency = serializers.CharField()
    status = serializers.CharField(help_text="succeeded, or pending while the provider works.")
    items = serializers.DictField(child=serializers.IntegerField(), help_text="item id: units")
    refunded_total = serializers.IntegerField(help_text="Refunded of this vendor order so far.")
    refundable = serializers.IntegerField(help_text="What may still be refunded of it.")
    created_at = serializers.DateTimeField()


class PaymentStatusOut(serializers.Serializer[Any]):
    reference = serializers.CharField()
    provider = serializers.CharField()
    status = serializers.CharField(
        help_text="pending (not settled yet: ask again in a few seconds), succeeded, failed, "
        "or review (held for staff)."
    )
    amount = serializers.IntegerField(help_text="Minor units.")
    currency = serializers.CharField()
    order_id = serializers.IntegerField()
    order_status = serializers.CharField(help_text="e.g. paid once the payment settled.")
    verified_at = serializers.DateTimeField(
        allow_null=True, help_text="When the provider was last asked about this attempt."
    )


class VendorPayoutOut(serializers.Serializer[Any]):
    vendor = VendorRefOut()  # {id, name}, as on orders
    currency = serializers.CharField()
    earned = serializers.IntegerField(
        help_text="Minor units: sales less commission and refunds, plus commission returned."
    )
    paid_out = serializers.IntegerField(
        help_text="Minor units paid out (including shares routed by the provider)."
    )
    balance = serializers.IntegerField(help_text="Minor units owed now: earned - paid_out.")
    balance_display = serializers.CharField(help_text="The balance as a decimal string.")
    refunds_pending = serializers.IntegerField(
        help_text="Minor units of counted refunds the provider is still sending."
    )


class PayoutReportOut(serializers.Serializer[Any]):
    vendors = VendorPayoutOut(many=True)
    totals = serializers.DictField(
        child=serializers.IntegerField(), help_text="currency: balance owed to all vendors."
    )
