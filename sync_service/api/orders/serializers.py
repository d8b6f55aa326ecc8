"""Shapes of the cart, checkout and orders on v1: the inputs, and the read models of
shared_domain.orders.selectors (an order's detail is shared_domain.payments.selectors'
OrderDetail, which adds its payments; a test keeps each output serializer's fields
equal to its dataclass's). The vendor back office renders its orders with these too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from rest_framework import serializers

from shared_domain.common.timefmt import iso_utc
from shared_domain.orders.lifecycle import Status
from shared_domain.orders.selectors import MAX_PAGE_SIZE, PAGE_SIZE
from sync_service.api.catalog.serializers import money
from sync_service.api.schema import documented
from sync_service.api.strict import StrictSerializer

# Checked by the cart service (one message for v1 and v2), documented here.
LINE_QUANTITY = {"type": "integer", "minimum": 1, "maximum": settings.CART_MAX_LINE_QUANTITY}

PROBLEMS = ("unavailable", "out_of_stock", "insufficient_stock")


class Timestamp(serializers.DateTimeField):
    """The one timestamp format of both APIs (shared_domain.common.timefmt), also for
    timestamps that may be null."""

    def to_representation(self, value: datetime | None) -> str | None:  # type: ignore[override]
        return None if value is None else iso_utc(value)


# ---------------------------------------------------------------------- cart
class CartItemIn(StrictSerializer):
    variant_id = serializers.IntegerField()
    quantity = documented(
        serializers.IntegerField(help_text="Units to add (1 to CART_MAX_LINE_QUANTITY)."),
        LINE_QUANTITY,
    )


class CartItemUpdateIn(StrictSerializer):
    quantity = documented(
        serializers.IntegerField(help_text="The line's new quantity."), LINE_QUANTITY
    )


class LineOut(serializers.Serializer[Any]):
    """A variant bought (or to buy), as cart lines and order items both show it."""

    id = serializers.IntegerField()
    variant_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    sku = serializers.CharField()
    size = serializers.CharField()
    colour = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = money()
    line_total = money()
    currency = serializers.CharField()


class CartLineOut(LineOut):
    available = serializers.IntegerField(help_text="Units that can be bought now.")
    problem = serializers.ChoiceField(
        choices=PROBLEMS,
        allow_null=True,
        help_text="Why checkout would refuse this line now; null when it can be bought.",
    )


class CartOut(serializers.Serializer[Any]):
    items = CartLineOut(many=True)
    subtotal = money()
    currency = serializers.CharField(help_text="Empty while the cart is empty.")
    count = serializers.IntegerField()


# ---------------------------------------------------------------------- checkout
class CheckoutIn(StrictSerializer):
    # Only the shape: order_place checks the address, and hashes it as it was sent.
    shipping_address = serializers.DictField()


class AddressIn(StrictSerializer):
    """What a shipping address holds (documentation of CheckoutIn.shipping_address;
    order_place refuses other fields)."""

    name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=20, required=False)
    country = serializers.CharField(help_text="ISO 3166-1 two-letter code.")
    phone = serializers.CharField(
        help_text="E.164: + then the country code and number (spaces, dashes, brackets ignored)."
    )


class CheckoutBody(StrictSerializer):
    shipping_address = AddressIn()


# ---------------------------------------------------------------------- orders
class ItemOut(LineOut):
    reviewed = serializers.BooleanField()


class VendorRefOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TrackingEventOut(serializers.Serializer[Any]):
    status = serializers.CharField()
    description = serializers.CharField()
    location = serializers.CharField()
    occurred_at = Timestamp()


class ShipmentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    status = serializers.CharField()
    shipped_at = Timestamp()
    delivered_at = Timestamp(allow_null=True)
    events = TrackingEventOut(many=True, help_text="Tracking steps, oldest first.")
    tracking_url = serializers.CharField(
        allow_null=True, help_text="The carrier's tracking page, when it has one."
    )


class VendorOrderOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    vendor = VendorRefOut()
    status = serializers.CharField()
    subtotal = money()
    currency = serializers.CharField()
    items = ItemOut(many=True)
    shipment = ShipmentOut(allow_null=True)


class PaymentOut(serializers.Serializer[Any]):
    """An attempt to pay the order through a provider."""

    reference = serializers.CharField(
        help_text="Our reference of the attempt (GET /api/v1/payments/{reference})."
    )
    provider = serializers.CharField(help_text="paystack or stripe.")
    status = serializers.CharField(
        help_text="pending, succeeded, failed, or review (held for staff: the provider "
        "reported another amount or currency)."
    )
    amount = serializers.IntegerField(help_text="In the currency's minor unit (kobo, cents).")
    currency = serializers.CharField()
    amount_refunded = serializers.IntegerField(help_text="Refunded so far, minor units.")
    created_at = Timestamp()
    updated_at = Timestamp()
    settled_at = Timestamp(
        allow_null=True, help_text="When the provider's answer was applied; null while pending."
    )


class OrderOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    subtotal = money()
    total = money()
    shipping_address = serializers.DictField(child=serializers.CharField())
    placed_at = Timestamp()
    paid_at = Timestamp(allow_null=True)
    expires_at = Timestamp(
        allow_null=True, help_text="Until when an unpaid order holds its stock."
    )
    cancel_reason = serializers.CharField()
    vendor_orders = VendorOrderOut(many=True)
    payments = PaymentOut(many=True, help_text="Payment attempts of the order, oldest first.")


class OrderSummaryOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    total = money()
    currency = serializers.CharField()
    placed_at = Timestamp()
    items_count = serializers.IntegerField()


class OrderPageOut(serializers.Serializer[Any]):
    items = OrderSummaryOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class OrderListQuery(serializers.Serializer[Any]):
    """The query of both order lists (the customer's and the vendor's); also their
    OpenAPI parameters. The values are checked by the selector (one message for v1
    and v2)."""

    status = documented(
        serializers.CharField(
            required=False, max_length=32, help_text="Only orders (parts) in this status."
        ),
        {"type": "string", "enum": list(Status.values)},
    )
    cursor = serializers.CharField(
        required=False, max_length=40, help_text="next_cursor of the previous page."
    )
    page_size = documented(
        serializers.IntegerField(
            required=False, help_text=f"Default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}."
        ),
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    )


# ---------------------------------------------------------------------- vendor side
class VendorOrderRowOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    subtotal = money()
    commission_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text='Fraction of the subtotal, e.g. "0.1000".'
    )
    commission_amount = money()
    vendor_payout = money()
    placed_at = Timestamp()
    shipping_address = serializers.DictField(child=serializers.CharField())
    items = ItemOut(many=True)
    shipment = ShipmentOut(allow_null=True)


class VendorOrderPageOut(serializers.Serializer[Any]):
    items = VendorOrderRowOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class ShipIn(StrictSerializer):
    carrier = serializers.CharField(max_length=32)
    tracking_number = serializers.CharField(max_length=64)


# ---------------------------------------------------------------------- reviews
class ReviewIn(StrictSerializer):
    rating = documented(
        serializers.IntegerField(help_text="1 to 5 stars."),
        {"type": "integer", "minimum": 1, "maximum": 5},
    )
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Plain text, at most 2048 characters."
    )


# ---------------------------------------------------------------------- returns
class ReturnIn(StrictSerializer):
    """Checked by the service (one message for every client); shapes only here."""

    item_id = serializers.IntegerField(help_text="The order item sent back.")
    quantity = serializers.IntegerField(
        required=False, default=1, help_text="Units sent back (default 1)."
    )
    reason = serializers.CharField(
        max_length=32, help_text="too_small, too_large, not_as_described or other."
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default="",
        help_text="Plain text, at most 1024 bytes (UTF-8).",
    )  # fmt: skip


class ReturnOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    vendor_order_id = serializers.IntegerField()
    item_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    variant_id = serializers.IntegerField()
    title = serializers.CharField()
    sku = serializers.CharField()
    size = serializers.CharField()
    quantity = serializers.IntegerField()
    reason = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReturnListOut(serializers.Serializer[Any]):
    items = ReturnOut(many=True)


class ReturnPageOut(serializers.Serializer[Any]):
    items = ReturnOut(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class ReturnPageQuery(serializers.Serializer[Any]):
    cursor = serializers.CharField(
        required=False, max_length=40, help_text="next_cursor of the previous page."
    )
    page_size = serializers.IntegerField(
        required=False, help_text=f"Default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}."
    )
