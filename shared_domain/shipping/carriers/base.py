"""The interface every carrier integration implements, and the registry of them.

An adapter knows a carrier's public tracking page and how to read (and verify) the
webhook the carrier calls with tracking updates; the shipping services do the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from shared_domain.common.errors import DomainError, NotFound


@dataclasses.dataclass(frozen=True)
class TrackingUpdate:
    """One tracking step read from a carrier's webhook."""

    tracking_number: str
    status: str
    occurred_at: datetime
    description: str = ""
    location: str = ""
    # The carrier's id of the update: a redelivered webhook carries the same one.
    external_id: str = ""


class WebhookError(DomainError):
    """A webhook body that cannot be read as tracking updates."""

    code = "invalid_payload"
    http_status = 400
    default_message = "The webhook payload is not valid."


class InvalidSignature(WebhookError):
    code = "invalid_signature"
    http_status = 401
    default_message = "The webhook signature is missing or does not match."


class UnknownCarrier(NotFound):
    code = "unknown_carrier"
    default_message = "No such carrier."


class CarrierAdapter(Protocol):
    code: str
    name: str

    def tracking_url(self, tracking_number: str) -> str | None:
        """The carrier's public tracking page of a parcel, if it has one."""

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[TrackingUpdate]:
        """The updates of a webhook call; `InvalidSignature` or `WebhookError` otherwise."""


_REGISTRY: dict[str, CarrierAdapter] = {}


def carrier_register(adapter: CarrierAdapter) -> None:
    _REGISTRY[adapter.code] = adapter


def carrier_get(code: str) -> CarrierAdapter:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnknownCarrier(details={"carrier": code}) from None


def carrier_codes() -> list[str]:
    return sorted(_REGISTRY)
