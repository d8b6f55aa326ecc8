"""Reads of shipping (minimal: replaced by the full version)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared_domain.shipping.models import Shipment


@dataclass(frozen=True)
class ShipmentView:
    id: int
    vendor_order_id: int
    carrier: str
    tracking_number: str
    status: str
    shipped_at: datetime
    delivered_at: datetime | None


def shipments_for_vendor_orders(*, vendor_order_ids: Sequence[int]) -> dict[int, ShipmentView]:
    rows = Shipment.objects.filter(vendor_order_id__in=list(vendor_order_ids))
    return {
        s.vendor_order_id: ShipmentView(
            id=s.pk,
            vendor_order_id=s.vendor_order_id,
            carrier=s.carrier,
            tracking_number=s.tracking_number,
            status=s.status,
            shipped_at=s.shipped_at,
            delivered_at=s.delivered_at,
        )
        for s in rows
    }
