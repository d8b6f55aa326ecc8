"""Reads of the shipping context, as frozen views (no model leaves the context)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from shared_domain.shipping.carriers import UnknownCarrier, carrier_get
from shared_domain.shipping.models import Shipment


@dataclasses.dataclass(frozen=True)
class TrackingEventView:
    status: str
    description: str
    location: str
    occurred_at: datetime


@dataclasses.dataclass(frozen=True)
class ShipmentView:
    id: int
    # Shown inside its vendor order, so not repeated in the APIs' answers.
    vendor_order_id: int = dataclasses.field(metadata={"internal": True})
    carrier: str
    tracking_number: str
    status: str
    shipped_at: datetime
    delivered_at: datetime | None
    events: list[TrackingEventView]
    tracking_url: str | None = None


def shipments_for_vendor_orders(*, vendor_order_ids: Sequence[int]) -> dict[int, ShipmentView]:
    """The shipments of these vendor orders by vendor order id (two queries)."""
    if not vendor_order_ids:
        return {}
    shipments = Shipment.objects.filter(
        vendor_order_id__in=list(vendor_order_ids)
    ).prefetch_related("events")
    return {s.vendor_order_id: _view(s) for s in shipments}


def _view(shipment: Shipment) -> ShipmentView:
    return ShipmentView(
        id=shipment.pk,
        vendor_order_id=shipment.vendor_order_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        shipped_at=shipment.shipped_at,
        delivered_at=shipment.delivered_at,
        events=[
            TrackingEventView(
                status=e.status,
                description=e.description,
                location=e.location,
                occurred_at=e.occurred_at,
            )
            for e in shipment.events.all()
        ],
        tracking_url=_tracking_url(shipment.carrier, shipment.tracking_number),
    )


def _tracking_url(carrier: str, tracking_number: str) -> str | None:
    try:
        return carrier_get(carrier).tracking_url(tracking_number)
    except UnknownCarrier:
        return None
