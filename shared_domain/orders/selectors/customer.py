"""A customer's orders: pages of summaries, and one order with its vendor orders, items
and shipments — read one after another, or as parts at the same time (v2)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count

from shared_domain.accounts.selectors import Account, store_names
from shared_domain.common.errors import NotFound
from shared_domain.orders.lifecycle import Status
from shared_domain.orders.models import Order, OrderItem, VendorOrder
from shared_domain.orders.selectors.paging import (
    cursor_decode,
    cursor_encode,
    page_size_check,
    status_check,
)
from shared_domain.shipping.selectors import ShipmentView, shipments_for_vendor_orders


@dataclass(frozen=True)
class ItemView:
    id: int
    variant_id: int
    product_id: int
    title: str
    sku: str
    size: str
    colour: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    currency: str
    reviewed: bool


@dataclass(frozen=True)
class VendorRef:
    id: int
    name: str


@dataclass(frozen=True)
class VendorOrderView:
    id: int
    vendor: VendorRef
    status: str
    subtotal: Decimal
    currency: str
    items: list[ItemView]
    shipment: ShipmentView | None


@dataclass(frozen=True)
class OrderView:
    id: int
    number: str
    status: str
    currency: str
    subtotal: Decimal
    total: Decimal
    shipping_address: dict[str, str]
    placed_at: datetime
    paid_at: datetime | None
    # Until when an unpaid order holds its stock (None once paid or closed).
    expires_at: datetime | None
    cancel_reason: str
    vendor_orders: list[VendorOrderView]


@dataclass(frozen=True)
class OrderSummary:
    id: int
    number: str
    status: str
    total: Decimal
    currency: str
    placed_at: datetime
    items_count: int


@dataclass(frozen=True)
class OrderPage:
    items: list[OrderSummary]
    next_cursor: str | None


@dataclass(frozen=True)
class OrderHeader:
    """An order with its vendor orders (and their stores), before items and shipments."""

    order: Order
    vendor_orders: list[VendorOrder]
    store_names: dict[int, str]


def order_page_for_customer(
    *,
    customer: Account,
    cursor: str | None = None,
    page_size: int | None = None,
    status: str | None = None,
) -> OrderPage:
    """The customer's orders, newest first, in keyset pages (one query)."""
    size = page_size_check(page_size)
    status_check(status)
    after = cursor_decode(cursor)
    orders = Order.objects.filter(customer=customer)
    if status:
        orders = orders.filter(status=status)
    if after is not None:
        orders = orders.filter(pk__lt=after)
    rows = list(
        orders.annotate(items_count=Count("items"))
        .order_by("-pk")
        .values_list("pk", "number", "status", "total", "currency", "placed_at", "items_count")[
            : size + 1
        ]
    )
    items = [OrderSummary(*row) for row in rows[:size]]
    more = len(rows) > size
    return OrderPage(items=items, next_cursor=cursor_encode(items[-1].id) if more else None)


def order_header_for_customer(*, customer: Account, order_id: int) -> OrderHeader:
    order = Order.objects.filter(pk=order_id, customer=customer).first()
    if order is None:
        raise NotFound("No such order.")
    parts = list(VendorOrder.objects.filter(order=order).order_by("pk"))
    return OrderHeader(
        order=order,
        vendor_orders=parts,
        store_names=store_names(vendor_ids=[p.vendor_id for p in parts]),
    )


def order_items_of(*, order_id: int) -> list[OrderItem]:
    return list(OrderItem.objects.filter(order_id=order_id).order_by("pk"))


def order_shipments_of(*, vendor_order_ids: Sequence[int]) -> dict[int, ShipmentView]:
    return shipments_for_vendor_orders(vendor_order_ids=vendor_order_ids)


def item_view(item: OrderItem) -> ItemView:
    return ItemView(
        id=item.pk,
        variant_id=item.variant_id,
        product_id=item.product_id,
        title=item.title,
        sku=item.sku,
        size=item.size,
        colour=item.colour,
        quantity=item.quantity,
        unit_price=item.unit_price,
        line_total=item.line_total,
        currency=item.currency,
        reviewed=item.reviewed_at is not None,
    )


def order_view_assemble(
    *, header: OrderHeader, items: Sequence[OrderItem], shipments: dict[int, ShipmentView]
) -> OrderView:
    """The order read model from its parts (read one after another, or at once)."""
    order = header.order
    by_part: dict[int, list[ItemView]] = defaultdict(list)
    for item in items:
        by_part[item.vendor_order_id].append(item_view(item))
    unpaid = order.status in (Status.PENDING_PAYMENT, Status.PAYMENT_FAILED)
    return OrderView(
        id=order.pk,
        number=order.number,
        status=order.status,
        currency=order.currency,
        subtotal=order.subtotal,
        total=order.total,
        shipping_address=dict(order.shipping_address),
        placed_at=order.placed_at,
        paid_at=order.paid_at,
        expires_at=order.expires_at if unpaid else None,
        cancel_reason=order.cancel_reason,
        vendor_orders=[
            VendorOrderView(
                id=part.pk,
                vendor=VendorRef(
                    id=part.vendor_id, name=header.store_names.get(part.vendor_id, "")
                ),
                status=part.status,
                subtotal=part.subtotal,
                currency=order.currency,
                items=by_part.get(part.pk, []),
                shipment=shipments.get(part.pk),
            )
            for part in header.vendor_orders
        ],
    )


def order_view_for_customer(*, customer: Account, order_id: int) -> OrderView:
    """One of the customer's orders (NotFound for anyone else's), sequentially."""
    header = order_header_for_customer(customer=customer, order_id=order_id)
    return order_view_assemble(
        header=header,
        items=order_items_of(order_id=order_id),
        shipments=order_shipments_of(vendor_order_ids=[p.pk for p in header.vendor_orders]),
    )
