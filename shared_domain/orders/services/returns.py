"""Returns: the customer of a delivered item sends back some of its units, for a
structured reason. The order row is locked first (as every change of an order does),
so two returns of one item cannot together exceed what was delivered. The refund is
not decided here: a staff or vendor refund of the part follows (payments)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Sum

from shared_domain.accounts.selectors import Account
from shared_domain.common.errors import NotFound, ValidationFailed
from shared_domain.common.events import publish
from shared_domain.orders.errors import NotReturnable, ReturnQuantityExceeded
from shared_domain.orders.events import ReturnRequested
from shared_domain.orders.lifecycle import Status
from shared_domain.orders.models import OrderItem, ReturnReason, ReturnRequest
from shared_domain.orders.selectors.returns import ReturnView, return_view
from shared_domain.orders.services._common import customer_check, order_locked

COMMENT_MAX_BYTES = 1024


def _clean(data: Mapping[str, Any]) -> tuple[int, int, str, str]:
    errors: dict[str, list[str]] = {}
    item_id, quantity = data.get("item_id"), data.get("quantity", 1)
    reason, comment = data.get("reason"), data.get("comment") or ""
    for name, value in (("item_id", item_id), ("quantity", quantity)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors[name] = ["A whole number, 1 or more."]
    if reason not in ReturnReason.values:
        errors["reason"] = [f"One of: {', '.join(ReturnReason.values)}."]
    if not isinstance(comment, str):
        errors["comment"] = ["Text."]
    elif len(comment.encode()) > COMMENT_MAX_BYTES:
        errors["comment"] = [f"At most {COMMENT_MAX_BYTES} bytes (UTF-8)."]
    if errors:
        raise ValidationFailed("The return is not valid.", details=errors)
    return int(item_id), int(quantity), str(reason), str(comment)  # type: ignore[arg-type]


@transaction.atomic
def return_request(*, customer: Account, order_id: int, data: Mapping[str, Any]) -> ReturnView:
    """Open a return of `quantity` units (default 1) of item `item_id` of one of the
    customer's orders, for `reason` (too_small, too_large, not_as_described, other)
    with an optional `comment` (at most 1 kB). Another customer's order or an item of
    another order: NotFound; a part not delivered: NotReturnable (409); more units
    than delivered less those already returned: ReturnQuantityExceeded (409).
    Publishes ReturnRequested."""
    customer_check(customer)
    item_id, quantity, reason, comment = _clean(data)
    order = order_locked(order_id=order_id, customer=customer)
    item = (
        OrderItem.objects.select_related("vendor_order")
        .filter(pk=item_id, order_id=order.pk)
        .first()
    )
    if item is None:
        raise NotFound("No such item in this order.")
    part = item.vendor_order
    if part.status != Status.DELIVERED:
        raise NotReturnable(details={"status": part.status})
    returned = ReturnRequest.objects.filter(item=item).aggregate(n=Sum("quantity"))["n"] or 0
    returnable = item.quantity - returned
    if quantity > returnable:
        raise ReturnQuantityExceeded(
            f"{returnable} of {item.quantity} units can still be returned.",
            details={"returnable": returnable, "requested": quantity},
        )
    row = ReturnRequest.objects.create(
        order_id=order.pk,
        vendor_order_id=part.pk,
        item=item,
        vendor_id=part.vendor_id,
        reason=reason,
        comment=comment,
        quantity=quantity,
    )
    publish(
        ReturnRequested(
            return_id=row.pk,
            order_id=order.pk,
            vendor_order_id=part.pk,
            order_item_id=item.pk,
            vendor_id=part.vendor_id,
            customer_id=customer.pk,
            product_id=item.product_id,
            variant_id=item.variant_id,
            size_label=item.size,
            reason=reason,
            quantity=quantity,
            at=row.created_at,
        )
    )
    return return_view(row, item)
