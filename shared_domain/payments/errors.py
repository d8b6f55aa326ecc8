from __future__ import annotations

from shared_domain.common.errors import Conflict, DomainError, NotFound


class UnknownProvider(NotFound):
    code = "unknown_provider"
    default_message = "No such payment provider."


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    default_message = "This order is not awaiting payment."


class PaymentInProgress(Conflict):
    code = "payment_in_progress"
    default_message = "Another payment attempt of this order is still open."


class ProviderUnavailable(DomainError):
    """The provider timed out or failed (5xx) after our retries: nothing was charged
    on our side; the caller may try again (the same reference is reused)."""

    code = "payment_provider_unavailable"
    http_status = 503
    default_message = "The payment provider is not answering; try again shortly."


class ProviderRejected(DomainError):
    """The provider refused the request (4xx): retrying the same call cannot help."""

    code = "payment_provider_error"
    http_status = 502
    default_message = "The payment provider refused the request."


class WebhookError(DomainError):
    code = "invalid_payload"
    http_status = 400
    default_message = "The webhook payload is not valid."


class InvalidSignature(WebhookError):
    code = "invalid_signature"
    http_status = 401
    default_message = "The webhook signature is missing, expired or does not match."


class RefundNotAllowed(Conflict):
    code = "refund_not_allowed"
    default_message = "This order cannot be refunded."


class OverRefund(Conflict):
    code = "over_refund"
    default_message = "The refund exceeds what was paid and not yet refunded."
