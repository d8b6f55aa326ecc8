"""Carrier integrations behind one interface (`CarrierAdapter`)."""

from shared_domain.shipping.carriers.base import (
    CarrierAdapter,
    InvalidSignature,
    TrackingUpdate,
    UnknownCarrier,
    WebhookError,
    carrier_codes,
    carrier_get,
    carrier_register,
)
from shared_domain.shipping.carriers.local import LocalCourier

DEFAULT_CARRIER = LocalCourier.code

carrier_register(LocalCourier())

__all__ = [
    "DEFAULT_CARRIER",
    "CarrierAdapter",
    "InvalidSignature",
    "TrackingUpdate",
    "UnknownCarrier",
    "WebhookError",
    "carrier_codes",
    "carrier_get",
    "carrier_register",
]
