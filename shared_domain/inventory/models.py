from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Stock(models.Model):
    """Units of one variant: `quantity` on hand, `allocated` to paid orders not yet
    shipped, `reserved` by unpaid orders (the sum of their active reservations, kept
    in the same transactions). Available to sell = quantity - allocated - reserved."""

    variant = models.OneToOneField(
        "catalog.ProductVariant", on_delete=models.CASCADE, related_name="stock"
    )
    quantity = models.PositiveIntegerField(default=0)
    allocated = models.PositiveIntegerField(default=0)
    reserved = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=F("quantity")), name="stock_allocated_within_quantity"
            ),
            # Never oversold: what orders hold never exceeds what is on hand.
            models.CheckConstraint(
                condition=Q(quantity__gte=F("allocated") + F("reserved")),
                name="stock_held_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        held = f"{self.allocated} allocated, {self.reserved} reserved"
        return f"{self.variant_id}: {self.quantity} ({held})"

    @property
    def available(self) -> int:
        return self.quantity - self.allocated - self.reserved


class Reservation(models.Model):
    """Units of a variant held for an unpaid order until `expires_at`. Payment commits
    them (they become allocated); cancellation or expiry releases them. `order_id`
    names the order without a foreign key: inventory knows nothing of orders."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMMITTED = "committed", "Committed (allocated)"
        RELEASED = "released", "Released"

    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.PROTECT, related_name="+"
    )
    order_id = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order_id", "variant"], name="reservation_order_variant"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="reservation_quantity_positive"
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="reservation_active_idx",
                condition=Q(status="active"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x variant {self.variant_id} for order {self.order_id}"
