"""Shapes of the orders on v2: the checkout input, and OpenAPI descriptions of the read
models of shared_domain.orders.selectors and of the order detail of
shared_domain.payments.selectors (the endpoints return those dataclasses; the
JSON is the same as v1's, and a test keeps each schema's fields equal to its
dataclass's)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from async_service.api.accounts_schemas import StrictIn

MONEY = 'Decimal string, e.g. "25000.00".'


class OrderLineIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    variant_id: int
    quantity: int


class OrderPlaceIn(StrictIn):
    shipping_address: dict[str, Any] = Field(
        description="name, line1, line2 (optional), city, state, postal_code (optional), "
        "country (ISO 3166-1 two letters), phone. Checked by the checkout service."
    )
    items: list[OrderLineIn] | None = Field(
        None, description="Order these instead of the cart (the cart is left as it is)."
    )


class OrderListFilters(Schema):
    status: str | None = Field(None, max_length=32, description="Only orders in this status.")
    cursor: str | None = Field(None, max_length=40, description="next_cursor of the last page.")
    page_size: int | None = Field(None, description="Default 20, at most 100.")


class ItemOut(Schema):
    id: int
    variant_id: int
    product_id: int
    title: str
    sku: str
    size: str
    colour: str
    quantity: int
    unit_price: Decimal = Field(description=MONEY)
    line_total: Decimal = Field(description=MONEY)
    currency: str
    reviewed: bool


class VendorRefOut(Schema):
    id: int
    name: str


class TrackingEventOut(Schema):
    status: str
    description: str
    location: str
    occurred_at: datetime


class ShipmentOut(Schema):
    id: int
    carrier: str
    tracking_number: str
    status: str
    shipped_at: datetime
    delivered_at: datetime | None
    events: list[TrackingEventOut] = Field(description="Tracking steps, oldest first.")
    tracking_url: str | None = Field(description="The carrier's tracking page, when it has one.")


class VendorOrderOut(Schema):
    id: int
    vendor: VendorRefOut
    status: str
    subtotal: Decimal = Field(description=MONEY)
    currency: str
    items: list[ItemOut]
    shipment: ShipmentOut | None


class PaymentOut(Schema):
    reference: str = Field(description="Our reference of the attempt.")
    provider: str = Field(description="paystack or stripe.")
    status: str = Field(
        description="pending, succeeded, failed, or review (held for staff: the provider "
        "reported another amount or currency)."
    )
    amount: int = Field(description="In the currency's minor unit (kobo, cents).")
    currency: str
    amount_refunded: int = Field(description="Refunded so far, minor units.")
    created_at: datetime
    updated_at: datetime
    settled_at: datetime | None = Field(
        description="When the provider's answer was applied; null while pending."
    )


class OrderOut(Schema):
    id: int
    number: str
    status: str
    currency: str
    subtotal: Decimal = Field(description=MONEY)
    total: Decimal = Field(description=MONEY)
    shipping_address: dict[str, str]
    placed_at: datetime
    paid_at: datetime | None
    expires_at: datetime | None = Field(
        description="Until when an unpaid order holds its stock (null once paid or closed)."
    )
    cancel_reason: str
    vendor_orders: list[VendorOrderOut]
    payments: list[PaymentOut] = Field(description="Payment attempts of the order, oldest first.")


class OrderSummaryOut(Schema):
    id: int
    number: str
    status: str
    total: Decimal = Field(description=MONEY)
    currency: str
    placed_at: datetime
    items_count: int


class OrderPageOut(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class ReturnIn(StrictIn):
    """Checked by the service (the same messages as v1)."""

    item_id: int = Field(description="The order item sent back.")
    quantity: int = Field(1, description="Units sent back (default 1).")
    reason: str = Field(
        max_length=32, description="too_small, too_large, not_as_described or other."
    )
    comment: str = Field("", description="Plain text, at most 1024 bytes (UTF-8).")


class ReturnOut(Schema):
    id: int
    order_id: int
    vendor_order_id: int
    item_id: int
    product_id: int
    variant_id: int
    title: str
    sku: str
    size: str
    quantity: int
    reason: str
    comment: str
    created_at: datetime


class ReturnListOut(Schema):
    items: list[ReturnOut]
