"""What the payments context needs of an order to charge, settle and refund it: the
amounts, the customer, and each vendor's part with its lines. Plain data only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared_domain.accounts.selectors import Account
from shared_domain.common.errors import NotFound
from shared_domain.orders.models import Order, OrderItem, VendorOrder


@dataclass(frozen=True)
class SettlementLine:
    id: int
    variant_id: int
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class SettlementPart:
    id: int
    vendor_id: int
    status: str
    subtotal: Decimal
    commission_amount: Decimal
    vendor_payout: Decimal
    lines: tuple[SettlementLine, ...]


@dataclass(frozen=True)
class OrderSettlement:
    id: int
    number: str
    status: str
    customer_id: int
    customer_email: str
    customer_name: str
    total: Decimal
    currency: str
    paid_at: datetime | None
    parts: tuple[SettlementPart, ...]

    def part(self, vendor_order_id: int) -> SettlementPart:
        for part in self.parts:
            if part.id == vendor_order_id:
                return part
        raise NotFound("No such order.")


def order_settlement(*, order_id: int, customer: Account | None = None) -> OrderSettlement:
    """The order (NotFound, also for another customer's) with its parts and lines;
    three queries."""
    orders = Order.objects.select_related("customer")
    if customer is not None:
        orders = orders.filter(customer=customer)
    order = orders.filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order.")
    lines: dict[int, list[SettlementLine]] = {}
    for item in OrderItem.objects.filter(order=order).order_by("pk"):
        lines.setdefault(item.vendor_order_id, []).append(
            SettlementLine(
                id=item.pk,
                variant_id=item.variant_id,
                quantity=item.quantity,
                unit_price=item.unit_price,
                line_total=item.line_total,
            )
        )
    parts = tuple(
        SettlementPart(
            id=part.pk,
            vendor_id=part.vendor_id,
            status=part.status,
            subtotal=part.subtotal,
            commission_amount=part.commission_amount,
            vendor_payout=part.vendor_payout,
            lines=tuple(lines.get(part.pk, ())),
        )
        for part in VendorOrder.objects.filter(order=order).order_by("pk")
    )
    return OrderSettlement(
        id=order.pk,
        number=order.number,
        status=order.status,
        customer_id=order.customer_id,
        customer_email=order.customer.email,
        customer_name=order.customer.full_name,
        total=order.total,
        currency=order.currency,
        paid_at=order.paid_at,
        parts=parts,
    )


def order_id_of_vendor_order(*, vendor_order_id: int) -> int:
    """The order a vendor order belongs to (NotFound if there is none)."""
    found = (
        VendorOrder.objects.filter(pk=vendor_order_id).values_list("order_id", flat=True).first()
    )
    if found is None:
        raise NotFound("No such order.")
    return int(found)
