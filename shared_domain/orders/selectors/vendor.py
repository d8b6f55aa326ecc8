"""A vendor's parts of orders, as its back office lists and shows them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from shared_domain.accounts.selectors import Account, vendor_profile_id_for_user
from shared_domain.common.errors import NotFound, PermissionDenied
from shared_domain.orders.models import OrderItem, VendorOrder
from shared_domain.orders.selectors.customer import ItemView, item_view, order_shipments_of
from shared_domain.orders.selectors.paging import (
    cursor_decode,
    cursor_encode,
    page_size_check,
    status_check,
)
from shared_domain.shipping.selectors import ShipmentView


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
        items[item.vendor_order_id].append(item_view(item))
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
    size = page_size_check(page_size)
    status_check(status)
    after = cursor_decode(cursor)
    parts = _vendor_orders(vendor)
    if status:
        parts = parts.filter(status=status)
    if after is not None:
        parts = parts.filter(pk__lt=after)
    found = list(parts.order_by("-pk")[: size + 1])
    rows = _vendor_rows(found[:size])
    more = len(found) > size
    return VendorOrderPage(items=rows, next_cursor=cursor_encode(rows[-1].id) if more else None)


def vendor_order_for_vendor(*, vendor: Account, vendor_order_id: int) -> VendorOrderRow:
    part = _vendor_orders(vendor).filter(pk=vendor_order_id).first()
    if part is None:
        raise NotFound("No such order.")
    return _vendor_rows([part])[0]


def vendor_ids_of_order(*, order_id: int) -> list[tuple[int, int]]:
    """(vendor id, vendor order id) of each part of an order."""
    rows = VendorOrder.objects.filter(order_id=order_id).order_by("pk")
    return list(rows.values_list("vendor_id", "pk"))


def vendor_order_check(*, vendor: Account, vendor_order_id: int) -> None:
    """NotFound unless this is one of the vendor's parts (one query)."""
    if not VendorOrder.objects.filter(pk=vendor_order_id, vendor_id=_vendor_id(vendor)).exists():
        raise NotFound("No such order.")
