"""Events of the payments context."""

from __future__ import annotations

import dataclasses

from shared_domain.common.events import Event


@dataclasses.dataclass(frozen=True)
class WebhookReceived(Event):
    """A verified provider webhook was stored: its processing is due (critical)."""

    webhook_event_id: int


@dataclasses.dataclass(frozen=True)
class PaymentSucceeded(Event):
    payment_id: int
    order_id: int
    provider: str
    amount: int
    currency: str


@dataclasses.dataclass(frozen=True)
class PaymentFailed(Event):
    payment_id: int
    order_id: int
    provider: str


@dataclasses.dataclass(frozen=True)
class PaymentFlagged(Event):
    """Money arrived that staff must look at (mismatch, paid after close, duplicate)."""

    payment_id: int
    order_id: int
    flag: str


@dataclasses.dataclass(frozen=True)
class RefundSucceeded(Event):
    refund_id: int
    payment_id: int
    order_id: int
    vendor_order_id: int
    amount: int
    currency: str


@dataclasses.dataclass(frozen=True)
class RefundFailed(Event):
    """The provider did not send a refund: staff must refund again or settle it."""

    refund_id: int
    payment_id: int
    order_id: int
    vendor_order_id: int
    amount: int
    currency: str
