"""Reads of the orders context: the cart with live prices and availability, a
customer's orders, a vendor's orders. Read models are frozen dataclasses; both APIs
render them.

Query budget: a cart is two queries (items, then the variants' live sale data); a
page of orders is one; an order's detail is three (order with its vendor orders,
items, shipments), and its parts can be read concurrently (v2).
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from shared_domain.accounts.selectors import Account, store_names, vendor_profile_id_for_user
from shared_domain.catalog.selectors import variants_for_sale
from shared_domain.common.errors import NotFound, PermissionDenied, ValidationFailed
from shared_domain.orders.lifecycle import Status
from shared_domain.orders.models import CartItem, Order, OrderItem, VendorOrder
from shared_domain.shipping.selectors import ShipmentView, shipments_for_vendor_orders

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# ---------------------------------------------------------------------- cart
@dataclass(frozen=True)
class CartLine:
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
    available: int
    # None, or why checkout would refuse this line now: "unavailable" (not on sale),
    # "out_of_stock" (none left), "insufficient_stock" (fewer left than wanted).
    problem: str | None


@dataclass(frozen=True)
class CartView:
    items: list[CartLine]
    subtotal: Decimal
    currency: str
    count: int


def cart_view(*, customer: Account) -> CartView:
    """The customer's cart at today's prices; lines that cannot be bought are flagged
    (`problem`), never dropped. The subtotal counts the lines on sale."""
    rows = list(
        CartItem.objects.filter(cart__customer=customer)
        .order_by("added_at", "pk")
        .values_list("pk", "variant_id", "quantity")
    )
    sales = variants_for_sale(variant_ids=[variant_id for _, variant_id, _ in rows])
    lines = []
    subtotal = Decimal(0)
    currency = ""
    for pk, variant_id, quantity in rows:
        sale = sales[variant_id]
        problem = None
        if not sale.on_sale:
            problem = "unavailable"
        elif sale.available == 0:
            problem = "out_of_stock"
        elif sale.available < quantity:
            problem = "insufficient_stock"
        total = sale.unit_price * quantity
        if sale.on_sale:
            subtotal += total
        currency = currency or sale.currency
        lines.append(
            CartLine(
                id=pk,
                variant_id=variant_id,
                product_id=sale.product_id,
                title=sale.title,
                sku=sale.sku,
                size=sale.size,
                colour=sale.colour,
                quantity=quantity,
                unit_price=sale.unit_price,
                line_total=total,
                currency=sale.currency,
                available=sale.available,
                problem=problem,
            )
        )
    return CartView(items=lines, subtotal=subtotal, currency=currency, count=len(lines))


# ---------------------------------------------------------------------- orders
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


def _cursor_decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        if not raw.isascii() or not raw.isdigit():
            raise ValueError(raw)
        return int(raw)
    except (ValueError, binascii.Error, UnicodeError):
        raise ValidationFailed(details={"cursor": ["Not a cursor this API gave out."]}) from None


def _cursor_encode(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _page_size(page_size: int | None) -> int:
    size = PAGE_SIZE if page_size is None else page_size
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed(details={"page_size": [f"Use 1 to {MAX_PAGE_SIZE}."]})
    return size


def _status_check(status: str | None) -> None:
    if status is not None and status not in Status.values:
        raise ValidationFailed(details={"status": [f"Use one of {', '.join(Status.values)}."]})


def order_page_for_customer(
    *,
    customer: Account,
    cursor: str | None = None,
    page_size: int | None = None,
    status: str | None = None,
) -> OrderPage:
    """The customer's orders, newest first, in keyset pages (one query)."""
    size = _page_size(page_size)
    _status_check(status)
    after = _cursor_decode(cursor)
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
    return OrderPage(items=items, next_cursor=_cursor_encode(items[-1].id) if more else None)


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


def _item_view(item: OrderItem) -> ItemView:
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
        by_part[item.vendor_order_id].append(_item_view(item))
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


# ---------------------------------------------------------------------- vendor side
@dataclass(frozen=True)
class VendorOrderRow:
    """A vendor's part of an order, as its back office lists and shows it: its own
    lines only, the address to ship to, and its money (subtotal, commission, payout)."""

    id: int
    order_id: int
    order_number: str
    status: str
    currency: str
    subtotal: Decimal
    commission_rate: Decimal
    commission_amount: Decimal
    vendor_payout: Decimal
    placed_at: datetime
    shipping_address: dict[str, str]
    items: list[ItemView]
    shipment: ShipmentView | None


@dataclass(frozen=True)
class VendorOrderPage:
    items: list[VendorOrderRow]
    next_cursor: str | None


def _vendor_id(vendor: Account) -> int:
    vendor_id = vendor_profile_id_for_user(user=vendor)
    if vendor_id is None:
        raise PermissionDenied("Only vendors have vendor orders.")
    return vendor_id


def _vendor_rows(parts: list[VendorOrder]) -> list[VendorOrderRow]:
    ids = [p.pk for p in parts]
    items: dict[int, list[ItemView]] = defaultdict(list)
    for item in OrderItem.objects.filter(vendor_order_id__in=ids).order_by("pk"):
        items[item.vendor_order_id].append(_item_view(item))
    shipments = order_shipments_of(vendor_order_ids=ids)
    return [
        VendorOrderRow(
            id=p.pk,
            order_id=p.order_id,
            order_number=p.order.number,
            status=p.status,
            currency=p.order.currency,
            subtotal=p.subtotal,
            commission_rate=p.commission_rate,
            commission_amount=p.commission_amount,
            vendor_payout=p.vendor_payout,
            placed_at=p.order.placed_at,
            shipping_address=dict(p.order.shipping_address),
            items=items.get(p.pk, []),
            shipment=shipments.get(p.pk),
        )
        for p in parts
    ]


def _vendor_orders(vendor: Account) -> QuerySet[VendorOrder, Any]:
    return VendorOrder.objects.filter(vendor_id=_vendor_id(vendor)).select_related("order")


def vendor_order_page_for_vendor(
    *,
    vendor: Account,
    status: str | None = None,
    cursor: str | None = None,
    page_size: int | None = None,
) -> VendorOrderPage:
    """The vendor's own parts of orders, newest first (three queries per page)."""
    size = _page_size(page_size)
    _status_check(status)
    after = _cursor_decode(cursor)
    parts = _vendor_orders(vendor)
    if status:
        parts = parts.filter(status=status)
    if after is not None:
        parts = parts.filter(pk__lt=after)
    found = list(parts.order_by("-pk")[: size + 1])
    rows = _vendor_rows(found[:size])
    more = len(found) > size
    return VendorOrderPage(items=rows, next_cursor=_cursor_encode(rows[-1].id) if more else None)


def vendor_order_for_vendor(*, vendor: Account, vendor_order_id: int) -> VendorOrderRow:
    part = _vendor_orders(vendor).filter(pk=vendor_order_id).first()
    if part is None:
        raise NotFound("No such order.")
    return _vendor_rows([part])[0]


def vendor_ids_of_order(*, order_id: int) -> list[tuple[int, int]]:
    """(vendor id, vendor order id) of each part of an order."""
    rows = VendorOrder.objects.filter(order_id=order_id).order_by("pk")
    return list(rows.values_list("vendor_id", "pk"))
