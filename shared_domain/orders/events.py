"""Events of the orders context."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from shared_domain.common.events import Event


@dataclasses.dataclass(frozen=True)
class OrderPlaced(Event):
    order_id: int
    customer_id: int


@dataclasses.dataclass(frozen=True)
class OrderStatusChanged(Event):
    """Any transition of an order or one of its vendor orders (one history row)."""

    order_id: int
    vendor_order_id: int | None
    change_id: int
    from_status: str
    to_status: str
    order_status: str
    at: datetime


@dataclasses.dataclass(frozen=True)
class OrderPaid(Event):
    order_id: int


@dataclasses.dataclass(frozen=True)
class OrderCancelled(Event):
    """`was_paid`: the money must go back (the payments context refunds)."""

    order_id: int
    reason: str
    was_paid: bool


@dataclasses.dataclass(frozen=True)
class ReturnRequested(Event):
    """A customer opened a return of `quantity` units of a delivered item."""

    return_id: int
    order_id: int
    vendor_order_id: int
    order_item_id: int
    vendor_id: int
    customer_id: int
    product_id: int
    variant_id: int
    size_label: str
    reason: str
    quantity: int
    at: datetime
