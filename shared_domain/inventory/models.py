from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Stock(models.Model):
    """Units of one variant: `quantity` on hand, `allocated` to paid orders not yet
    shipped. Available to sell = quantity - allocated (- live reservations, once
    checkout reserves)."""

    variant = models.OneToOneField(
        "catalog.ProductVariant", on_delete=models.CASCADE, related_name="stock"
    )
    quantity = models.PositiveIntegerField(default=0)
    allocated = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=F("quantity")), name="stock_allocated_within_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.quantity} ({self.allocated} allocated)"

    @property
    def available(self) -> int:
        return self.quantity - self.allocated
