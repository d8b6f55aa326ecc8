"""The interface every payment provider adapter implements, the plain data it takes
and returns, and the registry of adapters. Amounts are integer minor units."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal, Protocol

from django.conf import settings

from shared_domain.payments.errors import UnknownProvider

Outcome = Literal["succeeded", "failed", "pending"]


@dataclasses.dataclass(frozen=True)
class Share:
    """A vendor's share of a charge routed by the provider itself (Paystack
    subaccount, Stripe Connect account)."""

    vendor_id: int
    account: str
    amount: int


@dataclasses.dataclass(frozen=True)
class ChargeRequest:
    reference: str
    amount: int
    currency: str
    email: str
    metadata: Mapping[str, Any]
    # The platform's commission on the routed shares (what stays with the platform).
    shares: tuple[Share, ...] = ()
    callback_url: str = ""


@dataclasses.dataclass(frozen=True)
class Charge:
    provider_id: str
    authorization_url: str = ""
    client_secret: str = ""


@dataclasses.dataclass(frozen=True)
class Verification:
    """What the provider says of a charge now."""

    reference: str
    outcome: Outcome
    amount: int
    currency: str
    provider_id: str


@dataclasses.dataclass(frozen=True)
class RefundResult:
    provider_refund_id: str
    status: str


@dataclasses.dataclass(frozen=True)
class RefundNotice:
    """What a webhook says of one refund: the provider's refund id, and the charge it
    belongs to (our payment reference when the provider echoes it, else its id)."""

    provider_refund_id: str
    outcome: Outcome
    amount: int
    currency: str
    payment_reference: str = ""
    payment_provider_id: str = ""


@dataclasses.dataclass(frozen=True)
class Notice:
    """A verified webhook, read: `outcome` is None for events we do not act on;
    `refunds` is what a refund event reports."""

    event_key: str
    event_type: str
    payload: dict[str, Any]
    reference: str = ""
    outcome: Outcome | None = None
    amount: int | None = None
    currency: str = ""
    provider_id: str = ""
    refunds: tuple[RefundNotice, ...] = ()

    @property
    def actionable(self) -> bool:
        return (self.outcome is not None and self.amount is not None) or bool(self.refunds)


class PaymentProvider(Protocol):
    code: str

    def initialize(self, request: ChargeRequest) -> Charge:
        """Open a charge; `ProviderUnavailable`/`ProviderRejected` on failure."""

    def verify(self, *, reference: str, provider_id: str) -> Verification:
        """The charge's state as the provider knows it."""

    def refund(
        self, *, reference: str, provider_id: str, amount: int, idempotency_key: str
    ) -> RefundResult:
        """Send `amount` of a settled charge back."""

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> Notice:
        """Check the signature of the raw body first (`InvalidSignature`), then read
        it (`WebhookError` for a body that is not the provider's JSON)."""

    def read_event(self, payload: dict[str, Any]) -> Notice:
        """A stored (already verified) event payload, read again for processing."""


_REGISTRY: dict[str, PaymentProvider] = {}


def provider_register(adapter: PaymentProvider) -> None:
    _REGISTRY[adapter.code] = adapter


def provider_get(code: str) -> PaymentProvider:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnknownProvider(details={"provider": code}) from None


def provider_enabled(code: str) -> PaymentProvider:
    """An adapter this deployment takes payments with (PAYMENT_PROVIDERS): a disabled
    provider is answered as an unknown one. Money already taken through a provider
    that was turned off since is still verified and refunded with provider_get."""
    if code not in settings.PAYMENT_PROVIDERS:
        raise UnknownProvider(details={"provider": code})
    return provider_get(code)


def provider_codes() -> list[str]:
    """The providers payments can start with."""
    return sorted(code for code in _REGISTRY if code in settings.PAYMENT_PROVIDERS)


def header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""
