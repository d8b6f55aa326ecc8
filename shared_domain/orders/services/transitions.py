"""Every status change of orders and vendor orders after checkout: payment outcomes
(called by the payments context), the customer's cancellation, expiry of unpaid
orders, and the vendor's processing, shipping and delivery. Each locks the order row
first (then its vendor orders), so two changes of one order never interleave: a
cancellation racing a shipment, or an expiry racing a payment, has one winner."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from shared_domain.accounts.selectors import Account, vendor_profile_id_for_user
from shared_domain.common.errors import NotFound, PermissionDenied
from shared_domain.common.events import Event, publish
from shared_domain.inventory.services import (
    allocations_fulfil,
    allocations_release,
    reservations_commit,
    reservations_release,
    stock_restock,
)
from shared_domain.orders.events import OrderCancelled, OrderPaid
from shared_domain.orders.lifecycle import (
    CANCELLABLE,
    FULFILMENT,
    InvalidTransition,
    Status,
    check_transition,
    derive_order_status,
)
from shared_domain.orders.models import Order, OrderItem, VendorOrder
from shared_domain.orders.services._common import (
    Change,
    changes_write,
    order_locked,
    transition_record,
)
from shared_domain.shipping import services as shipping

UNPAID = (Status.PENDING_PAYMENT, Status.PAYMENT_FAILED)


def _vendor_orders(order: Order) -> list[VendorOrder]:
    return list(VendorOrder.objects.select_for_update().filter(order=order).order_by("pk"))


def _set_all(
    order: Order,
    to: str,
    *,
    actor_id: int | None,
    reason: str,
    parts: list[VendorOrder],
    also: Sequence[Event] = (),
) -> None:
    """Move every vendor order, then the order, to `to` (each change in the history,
    one statement each way) and publish the changes with `also`. The parts' rows come
    first and show the order as it still is; the order's own row is the one that
    closes it, so a live stream ends only once every part has moved."""
    check_transition(order.status, to)
    before = order.status
    changes = [Change(part.status, to, before, part) for part in parts]
    VendorOrder.objects.filter(pk__in=[part.pk for part in parts]).update(
        status=to, updated_at=timezone.now()
    )
    for part in parts:
        part.status = to
    order.status = to
    fields = ["status", "updated_at"]
    if to == Status.CANCELLED:
        order.cancel_reason = reason
        fields.append("cancel_reason")
    if to == Status.PAID:
        order.paid_at = timezone.now()
        fields.append("paid_at")
    order.save(update_fields=fields)
    changes.append(Change(before, to, to))
    publish(*changes_write(order=order, changes=changes, actor_id=actor_id, reason=reason), *also)


def _order_and_part_locked(vendor_order_id: int) -> tuple[Order, VendorOrder]:
    """The order, then the vendor order, locked (the order first, as everywhere)."""
    order_id = (
        VendorOrder.objects.filter(pk=vendor_order_id).values_list("order_id", flat=True).first()
    )
    if order_id is None:
        raise NotFound("No such order.")
    order = order_locked(order_id=order_id)
    return order, VendorOrder.objects.select_for_update().get(pk=vendor_order_id)


def _lines(order: Order) -> list[tuple[int, int]]:
    return list(OrderItem.objects.filter(order=order).values_list("variant_id", "quantity"))


# ---------------------------------------------------------------------- payment
@transaction.atomic
def order_mark_paid(*, order_id: int) -> Order:
    """Payment confirmed: the reserved stock becomes allocated and every part can be
    fulfilled. Idempotent: a paid (or further along) order stays as it is. A
    cancelled order is not revived (InvalidTransition: the payment must be refunded)."""
    order = order_locked(order_id=order_id)
    if order.status in FULFILMENT:
        return order
    if order.status not in UNPAID:
        raise InvalidTransition(
            f"Order {order.number} is {order.status}; a payment cannot mark it paid.",
            details={"status": order.status, "requested": Status.PAID},
        )
    reservations_commit(order_id=order.pk)
    _set_all(
        order,
        Status.PAID,
        actor_id=None,
        reason="payment",
        parts=_vendor_orders(order),
        also=[OrderPaid(order_id=order.pk)],
    )
    return order


@transaction.atomic
def order_mark_payment_failed(*, order_id: int, reason: str = "payment_failed") -> Order:
    """A payment attempt failed: the order stays open (its stock still reserved until
    `expires_at`) for another attempt. Idempotent; never undoes a paid order."""
    order = order_locked(order_id=order_id)
    if order.status != Status.PENDING_PAYMENT:
        # Already failed, or paid by another attempt, or closed: a late report of a
        # failed attempt changes nothing.
        return order
    _set_all(
        order,
        Status.PAYMENT_FAILED,
        actor_id=None,
        reason=reason[:64],
        parts=_vendor_orders(order),
    )
    return order


# ---------------------------------------------------------------------- refunds
# Parts whose units are still held for them (allocated), not yet handed to a carrier.
_UNSHIPPED = (Status.PAID, Status.PROCESSING)
_REFUNDABLE = (*FULFILMENT, Status.PARTIALLY_REFUNDED)


@transaction.atomic
def vendor_order_record_refund(
    *,
    vendor_order_id: int,
    returned: list[tuple[int, int]],
    fully_refunded: bool,
    actor_id: int | None = None,
) -> VendorOrder:
    """The payments context refunded (part of) a vendor order: `returned` units
    (variant id, units) go back to stock — released from the allocation if the part
    had not shipped, back on hand if it had. A fully refunded part becomes
    `refunded`; a partial refund of a delivered part makes it `partially_refunded`
    (an unshipped part keeps its status, so the rest still ships). The order follows:
    `refunded` once every part is, `partially_refunded` once the remaining parts are
    delivered. Locks the order, then the part."""
    order, part = _order_and_part_locked(vendor_order_id)
    # A refunded part may be refunded again when a refund of it failed at the provider.
    refundable = (*_REFUNDABLE, Status.REFUNDED)
    if order.status not in refundable or part.status not in refundable:
        raise InvalidTransition(
            f"Order {order.number} is {order.status}; nothing paid to refund.",
            details={"status": part.status, "requested": Status.REFUNDED},
        )
    if returned:
        if part.status in _UNSHIPPED:
            allocations_release(lines=returned)
        else:
            stock_restock(lines=returned)
    target = part.status
    if fully_refunded:
        target = Status.REFUNDED
    elif part.status == Status.DELIVERED:
        target = Status.PARTIALLY_REFUNDED
    if target != part.status:
        before = part.status
        part.status = target
        part.save(update_fields=["status", "updated_at"])
        transition_record(order=order, vendor_order=part, from_status=before,
                          to_status=target, actor_id=actor_id, reason="refund")  # fmt: skip
    statuses = set(VendorOrder.objects.filter(order=order).values_list("status", flat=True))
    active = statuses - {Status.REFUNDED}
    order_target: str
    if not active:
        order_target = Status.REFUNDED
    elif active <= {Status.DELIVERED, Status.PARTIALLY_REFUNDED}:
        order_target = Status.PARTIALLY_REFUNDED
    else:
        order_target = order.status
    if order_target != order.status:
        before = order.status
        order.status = order_target
        order.save(update_fields=["status", "updated_at"])
        transition_record(order=order, from_status=before, to_status=order_target,
                          actor_id=actor_id, reason="refund")  # fmt: skip
    return part


# ---------------------------------------------------------------------- cancellation
def _cancel(order: Order, *, reason: str, actor_id: int | None) -> None:
    parts = _vendor_orders(order)
    if order.status not in CANCELLABLE or any(p.status not in CANCELLABLE for p in parts):
        raise InvalidTransition(
            f"Order {order.number} can no longer be cancelled ({order.status}).",
            details={"status": order.status, "requested": Status.CANCELLED},
        )
    was_paid = order.status not in UNPAID
    if was_paid:
        allocations_release(lines=_lines(order))
    else:
        reservations_release(order_id=order.pk)
    _set_all(
        order,
        Status.CANCELLED,
        actor_id=actor_id,
        reason=reason,
        parts=parts,
        also=[OrderCancelled(order_id=order.pk, reason=reason, was_paid=was_paid)],
    )


@transaction.atomic
def order_cancel(*, customer: Account, order_id: int) -> Order:
    """The customer cancels before anything was shipped; the stock is released (a paid
    order's refund follows from OrderCancelled)."""
    order = order_locked(order_id=order_id, customer=customer)
    _cancel(order, reason="customer", actor_id=customer.pk)
    return order


@transaction.atomic
def order_cancel_by_staff(*, staff: Account, order_id: int) -> Order:
    """Staff cancel an order before shipment (same rules as the customer's)."""
    if not staff.is_staff:
        raise PermissionDenied("Only staff cancel others' orders.")
    order = order_locked(order_id=order_id)
    _cancel(order, reason="staff", actor_id=staff.pk)
    return order


def orders_expire(*, limit: int = 500) -> int:
    """Cancel unpaid orders past `expires_at` (reason payment_timeout), releasing their
    stock. Each in its own transaction, skipping orders another process holds (a
    payment being recorded wins). Returns how many it cancelled."""
    done = 0
    while done < limit:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(skip_locked=True)
                .filter(status__in=UNPAID, expires_at__lte=timezone.now())
                .order_by("expires_at", "pk")
                .first()
            )
            if order is None:
                break
            _cancel(order, reason="payment_timeout", actor_id=None)
        done += 1
    return done


# ---------------------------------------------------------------------- fulfilment
def _vendor_order_locked(*, vendor: Account, vendor_order_id: int) -> tuple[Order, VendorOrder]:
    vendor_id = vendor_profile_id_for_user(user=vendor)
    if vendor_id is None:
        raise PermissionDenied("Only vendors fulfil orders.")
    order_id = (
        VendorOrder.objects.filter(pk=vendor_order_id, vendor_id=vendor_id)
        .values_list("order_id", flat=True)
        .first()
    )
    if order_id is None:
        raise NotFound("No such order.")
    order = order_locked(order_id=order_id)
    part = VendorOrder.objects.select_for_update().get(pk=vendor_order_id)
    return order, part


def _advance(order: Order, part: VendorOrder, to: str, *, actor_id: int | None) -> VendorOrder:
    if order.status not in FULFILMENT:
        raise InvalidTransition(
            f"Order {order.number} is {order.status}.",
            details={"status": part.status, "requested": to},
        )
    check_transition(part.status, to)
    before = part.status
    part.status = to
    part.save(update_fields=["status", "updated_at"])
    transition_record(
        order=order, vendor_order=part, from_status=before, to_status=to, actor_id=actor_id
    )
    statuses = VendorOrder.objects.filter(order=order).values_list("status", flat=True)
    derived = derive_order_status(statuses)
    if derived != order.status:
        order_before = order.status
        order.status = derived
        order.save(update_fields=["status", "updated_at"])
        transition_record(
            order=order, from_status=order_before, to_status=derived, actor_id=actor_id
        )
    return part


@transaction.atomic
def vendor_order_process(*, vendor: Account, vendor_order_id: int) -> VendorOrder:
    order, part = _vendor_order_locked(vendor=vendor, vendor_order_id=vendor_order_id)
    return _advance(order, part, Status.PROCESSING, actor_id=vendor.pk)


@transaction.atomic
def vendor_order_ship(
    *, vendor: Account, vendor_order_id: int, carrier: str, tracking_number: str
) -> VendorOrder:
    """The vendor hands its part to a carrier: a shipment is recorded and its units
    leave the stock (on hand and allocated go down together)."""
    order, part = _vendor_order_locked(vendor=vendor, vendor_order_id=vendor_order_id)
    _advance(order, part, Status.SHIPPED, actor_id=vendor.pk)
    # A tracking number another shipment uses is 409 tracking_number_taken (shipping
    # checks it, and turns a lost race at its unique constraint into the same error).
    shipping.shipment_create(
        vendor_order_id=part.pk, carrier=carrier, tracking_number=tracking_number
    )
    lines = list(OrderItem.objects.filter(vendor_order=part).values_list("variant_id", "quantity"))
    allocations_fulfil(lines=lines)
    return part


@transaction.atomic
def vendor_order_deliver(*, vendor: Account, vendor_order_id: int) -> VendorOrder:
    order, part = _vendor_order_locked(vendor=vendor, vendor_order_id=vendor_order_id)
    _advance(order, part, Status.DELIVERED, actor_id=vendor.pk)
    shipping.shipment_mark_delivered(vendor_order_id=part.pk)
    return part


@transaction.atomic
def vendor_order_mark_delivered(*, vendor_order_id: int) -> VendorOrder:
    """The carrier reported the parcel delivered. Idempotent: a part already delivered
    stays as it is; one not shipped (yet) is refused (InvalidTransition)."""
    order, part = _order_and_part_locked(vendor_order_id)
    if part.status == Status.DELIVERED:
        return part
    return _advance(order, part, Status.DELIVERED, actor_id=None)
