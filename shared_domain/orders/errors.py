"""Errors of the orders context (each with its stable code and HTTP status)."""

from shared_domain.common.errors import Conflict, ValidationFailed

# Re-exported so that callers find every orders error here.
from shared_domain.orders.lifecycle import InvalidTransition

__all__ = [
    "CartEmpty",
    "CurrencyMismatch",
    "IdempotencyConflict",
    "IdempotencyKeyRequired",
    "InvalidTransition",
    "NotDelivered",
    "NotReturnable",
    "ReturnQuantityExceeded",
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


class NotReturnable(Conflict):
    code = "not_returnable"
    default_message = "Only delivered items can be returned."


class ReturnQuantityExceeded(Conflict):
    code = "return_quantity_exceeded"
    default_message = "More units than were delivered and not yet returned."
