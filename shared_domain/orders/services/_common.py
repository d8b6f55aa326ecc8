"""What the orders services share: who may buy, locking an order, and recording a
transition (history row + event) in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from shared_domain.accounts.errors import EmailNotVerified
from shared_domain.accounts.selectors import Account
from shared_domain.common.errors import NotFound, PermissionDenied
from shared_domain.common.events import publish
from shared_domain.orders.events import OrderStatusChanged
from shared_domain.orders.models import Order, OrderStatusChange, VendorOrder


def customer_check(customer: Account, *, verified: bool = False) -> None:
    if not customer.is_customer:
        raise PermissionDenied("Only customer accounts can buy.")
    if verified and not customer.email_verified:
        raise EmailNotVerified()


def order_locked(*, order_id: int, customer: Account | None = None) -> Order:
    """The order row, locked for this transaction (NotFound for another customer's)."""
    orders: QuerySet[Order] = Order.objects.select_for_update()
    if customer is not None:
        orders = orders.filter(customer=customer)
    order = orders.filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order.")
    return order


@dataclass(frozen=True)
class Change:
    """One transition already applied, as its history row will show it."""

    from_status: str
    to_status: str
    # The order's status as the row shows it (a part's change may precede the order's).
    order_status: str
    vendor_order: VendorOrder | None = None


def changes_write(
    *, order: Order, changes: Sequence[Change], actor_id: int | None = None, reason: str = ""
) -> list[OrderStatusChanged]:
    """Write the history rows of transitions already applied, in one statement and in
    this order; return their events, to publish in the same transaction."""
    rows = OrderStatusChange.objects.bulk_create(
        OrderStatusChange(
            order=order,
            vendor_order=change.vendor_order,
            from_status=change.from_status,
            to_status=change.to_status,
            actor_id=actor_id,
            reason=reason,
        )
        for change in changes
    )
    return [
        OrderStatusChanged(
            order_id=order.pk,
            vendor_order_id=change.vendor_order.pk if change.vendor_order else None,
            change_id=row.pk,
            from_status=change.from_status,
            to_status=change.to_status,
            order_status=change.order_status,
            at=row.created_at,
        )
        for row, change in zip(rows, changes, strict=True)
    ]


def transition_record(
    *,
    order: Order,
    to_status: str,
    from_status: str,
    vendor_order: VendorOrder | None = None,
    actor_id: int | None = None,
    reason: str = "",
) -> None:
    """Write the history row of a transition already applied, and publish it."""
    change = Change(from_status, to_status, order.status, vendor_order)
    publish(*changes_write(order=order, changes=[change], actor_id=actor_id, reason=reason))


def max_line_quantity() -> int:
    return int(settings.CART_MAX_LINE_QUANTITY)
