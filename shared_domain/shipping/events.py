from __future__ import annotations

import dataclasses

from shared_domain.common.events import Event


@dataclasses.dataclass(frozen=True)
class TrackingUpdated(Event):
    """A carrier reported a step that changes the shipment's state (today: delivered)."""

    shipment_id: int
    vendor_order_id: int
    status: str
