"""What the orders services share: who may buy, locking an order, and recording a
transition (history row + event) in one place."""

from __future__ import annotations

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


def transition_write(
    *,
    order: Order,
    to_status: str,
    from_status: str,
    vendor_order: VendorOrder | None = None,
    actor_id: int | None = None,
    reason: str = "",
) -> tuple[OrderStatusChange, OrderStatusChanged]:
    """Write the history row of a transition already applied; return it with the
    event to publish (in the same transaction)."""
    change = OrderStatusChange.objects.create(
        order=order,
        vendor_order=vendor_order,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor_id,
        reason=reason,
    )
    event = OrderStatusChanged(
        order_id=order.pk,
        vendor_order_id=vendor_order.pk if vendor_order else None,
        change_id=change.pk,
        from_status=from_status,
        to_status=to_status,
        order_status=order.status,
        at=change.created_at,
    )
    return change, event


def transition_record(
    *,
    order: Order,
    to_status: str,
    from_status: str,
    vendor_order: VendorOrder | None = None,
    actor_id: int | None = None,
    reason: str = "",
) -> OrderStatusChange:
    """Write the history row of a transition already applied, and publish it."""
    change, event = transition_write(
        order=order,
        to_status=to_status,
        from_status=from_status,
        vendor_order=vendor_order,
        actor_id=actor_id,
        reason=reason,
    )
    publish(event)
    return change


def max_line_quantity() -> int:
    return int(settings.CART_MAX_LINE_QUANTITY)
