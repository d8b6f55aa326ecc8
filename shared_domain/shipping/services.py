"""Writes of shipping (minimal: replaced by the full carrier-backed version)."""

from __future__ import annotations

from django.utils import timezone

from shared_domain.shipping.models import Shipment


def shipment_create(*, vendor_order_id: int, carrier: str, tracking_number: str) -> Shipment:
    return Shipment.objects.create(
        vendor_order_id=vendor_order_id, carrier=carrier, tracking_number=tracking_number
    )


def shipment_mark_delivered(*, vendor_order_id: int) -> Shipment:
    shipment = Shipment.objects.get(vendor_order_id=vendor_order_id)
    shipment.status = Shipment.Status.DELIVERED
    shipment.delivered_at = timezone.now()
    shipment.save(update_fields=["status", "delivered_at", "updated_at"])
    return shipment
