"""The order state machine, in one place.

    pending_payment ──paid──▶ paid ──▶ processing ──▶ shipped ──▶ delivered
          │   │                 │            │
          │   └▶ payment_failed ┴────────────┴──▶ cancelled (before shipment)
          └──▶ cancelled (customer, or payment_timeout)
    paid/processing/shipped/delivered ──▶ refunded | partially_refunded (payments)

Each `VendorOrder` moves through these states on its own (a vendor processes, ships
and delivers its part). The `Order`'s status is set directly while the order as a
whole is decided (pending_payment, payment_failed, cancelled, refunds) and otherwise
**derived from its vendor orders** by one rule (`derive_order_status`): delivered when
every part is delivered, shipped when every part is shipped or delivered, processing
when any part is being processed or further along, else paid.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from shared_domain.common.errors import Conflict


class Status(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    PAID = "paid", "Paid"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.PAYMENT_FAILED, S.CANCELLED}),
    # A failed attempt can be followed by a successful one while the order is open.
    S.PAYMENT_FAILED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PROCESSING, S.SHIPPED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.PROCESSING: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
# No further change will come: live updates end here.
TERMINAL: frozenset[str] = frozenset({S.DELIVERED, S.CANCELLED, S.REFUNDED})
# Before any part has left the vendor: the customer may still cancel.
CANCELLABLE: frozenset[str] = frozenset(
    {S.PENDING_PAYMENT, S.PAYMENT_FAILED, S.PAID, S.PROCESSING}
)
# The order is settled (paid) and its vendor orders drive its status.
FULFILMENT: frozenset[str] = frozenset({S.PAID, S.PROCESSING, S.SHIPPED, S.DELIVERED})


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "This change of status is not allowed."


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(
            f"Cannot go from {current} to {target}.",
            details={"status": current, "requested": target},
        )


def derive_order_status(vendor_statuses: Iterable[str]) -> str:
    """The status of a paid order from the statuses of its vendor orders (a part
    refunded in full no longer counts: the others decide)."""
    statuses = set(vendor_statuses) - {S.REFUNDED}
    if statuses and statuses <= {S.DELIVERED}:
        return S.DELIVERED
    if statuses and statuses <= {S.SHIPPED, S.DELIVERED}:
        return S.SHIPPED
    if statuses & {S.PROCESSING, S.SHIPPED, S.DELIVERED}:
        return S.PROCESSING
    return S.PAID
