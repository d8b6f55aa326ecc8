"""Schemas of the v2 vendor dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

MONEY = 'Decimal string, e.g. "25000.00".'


class RevenueOut(Schema):
    currency: str
    gross: Decimal = Field(description="Sales in the period. " + MONEY)
    commission: Decimal = Field(description="The platform's commission, net of refunds. " + MONEY)
    refunded: Decimal = Field(description=MONEY)
    net: Decimal = Field(description="gross - commission - refunded. " + MONEY)
    paid_orders: int
    average_order_value: Decimal = Field(description="Per paid vendor order. " + MONEY)


class TopProductOut(Schema):
    product_id: int
    title: str
    currency: str
    units: int
    revenue: Decimal = Field(description=MONEY)


class TopProductsOut(Schema):
    by_revenue: list[TopProductOut]
    by_units: list[TopProductOut]


class LowStockOut(Schema):
    variant_id: int
    sku: str
    product_id: int
    title: str
    size: str
    colour: str
    available: int


class MoneyOut(Schema):
    amount: Decimal = Field(description=MONEY)
    currency: str


class ReturnReasonOut(Schema):
    reason: str = Field(description="too_small, too_large, not_as_described or other.")
    units: int


class ReturnsOut(Schema):
    rate: Decimal | None = Field(
        description="Units returned / units delivered in the period (decimal string, "
        "4 places); null without deliveries."
    )
    returned_units: int
    delivered_units: int
    top_reasons: list[ReturnReasonOut] = Field(description="Most units first.")


class DashboardOut(Schema):
    start: date = Field(description="First day of the period (UTC), included.")
    end: date = Field(description="Last day of the period (UTC), included.")
    revenue: list[RevenueOut]
    orders_by_status: dict[str, int]
    top_products: TopProductsOut
    low_stock: list[LowStockOut]
    low_stock_threshold: int
    balance: list[MoneyOut] = Field(description="What the marketplace owes you now.")
    returns: ReturnsOut
