"""Reactions to the orders context's events (registered in SizingConfig.ready): a
delivered part and a return refresh the fit outcomes of their items (idempotent)."""

from __future__ import annotations

from shared_domain.common.events import subscribe
from shared_domain.orders.events import OrderStatusChanged, ReturnRequested
from shared_domain.orders.lifecycle import Status
from shared_domain.sizing.outcomes import fit_outcomes_refresh


def part_delivered(event: OrderStatusChanged) -> None:
    if event.vendor_order_id is not None and event.to_status == Status.DELIVERED:
        fit_outcomes_refresh(vendor_order_id=event.vendor_order_id)


def return_requested(event: ReturnRequested) -> None:
    fit_outcomes_refresh(item_ids=[event.order_item_id])


def register() -> None:
    subscribe(OrderStatusChanged, part_delivered)
    subscribe(ReturnRequested, return_requested)
