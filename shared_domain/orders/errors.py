"""Errors of the orders context (each with its stable code and HTTP status)."""

from shared_domain.common.errors import Conflict, ValidationFailed

# Re-exported so that callers find every orders error here.
from shared_domain.orders.lifecycle import InvalidTransition

__all__ = [
    "AlreadyReviewed",
    "CartEmpty",
    "CurrencyMismatch",
    "IdempotencyConflict",
    "IdempotencyKeyRequired",
    "InvalidTransition",
    "NotDelivered",
    "TrackingNumberTaken",
    "VariantUnavailable",
]


class CartEmpty(ValidationFailed):
    code = "cart_empty"
    default_message = "The cart is empty."


class CurrencyMismatch(Conflict):
    code = "currency_mismatch"
    default_message = "A cart and an order hold one currency."


class VariantUnavailable(Conflict):
    code = "variant_unavailable"
    default_message = "This item is not on sale."


class IdempotencyKeyRequired(ValidationFailed):
    code = "idempotency_key_required"
    default_message = "Send an Idempotency-Key header (1 to 255 visible characters)."


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    default_message = "This Idempotency-Key was used with a different request."


class NotDelivered(Conflict):
    code = "not_delivered"
    default_message = "Only delivered items can be reviewed."


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    default_message = "This item has already been reviewed."


class TrackingNumberTaken(Conflict):
    code = "tracking_number_taken"
    default_message = "This tracking number is already used by another shipment."
