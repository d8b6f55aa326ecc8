"""Shipments of vendor orders and the tracking events carriers report for them."""

from __future__ import annotations

from django.db import models


class Shipment(models.Model):
    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", "In transit"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Delivery failed"

    # The vendor order it fulfils (orders sits above shipping: only the string here).
    vendor_order = models.OneToOneField(
        "orders.VendorOrder", on_delete=models.CASCADE, related_name="shipment"
    )
    carrier = models.CharField(max_length=32)
    tracking_number = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_TRANSIT)
    shipped_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"], name="shipment_carrier_tracking"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class TrackingEvent(models.Model):
    """One step a carrier reported (or a vendor recorded). `external_id` dedupes a
    carrier's webhook deliveries."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=32)
    description = models.CharField(max_length=255, blank=True)
    location = models.CharField(max_length=120, blank=True)
    occurred_at = models.DateTimeField()
    external_id = models.CharField(max_length=128, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("occurred_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "external_id"],
                name="trackingevent_external_once",
                condition=~models.Q(external_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.status}"
