"""Daily rollups (UTC days) of each vendor's sales: derived data, rebuilt from the orders
history and the ledger by `rebuild_rollups`, kept current by the event handlers."""

from __future__ import annotations

from django.db import models


class VendorDailyRollup(models.Model):
    """One vendor's day in one currency. Money from the ledger: `gross` (sales),
    `commission` (net of commission returned on refunds), `refunded`, and `net` (what
    the day added to the vendor's balance before payouts). Counts: vendor orders
    placed, or moved to each status, that day; `paid_amount` is the subtotal of those
    paid (the average order value's numerator)."""

    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    currency = models.CharField(max_length=3)
    gross = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    commission = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    refunded = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    net = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    placed = models.PositiveIntegerField(default=0)
    paid = models.PositiveIntegerField(default=0)
    processing = models.PositiveIntegerField(default=0)
    shipped = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    refunded_orders = models.PositiveIntegerField(default=0)
    paid_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cancelled_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # Returns: units of the vendor's parts delivered that day, and units returned that
    # day in all and per reason (the returns rate's numerator and denominator).
    delivered_units = models.PositiveIntegerField(default=0)
    returned_units = models.PositiveIntegerField(default=0)
    returns_too_small = models.PositiveIntegerField(default=0)
    returns_too_large = models.PositiveIntegerField(default=0)
    returns_not_as_described = models.PositiveIntegerField(default=0)
    returns_other = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "day", "currency"], name="vendordailyrollup_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.day} {self.currency}"


class ProductDailyRollup(models.Model):
    """Units and revenue of one product in the vendor orders paid that day."""

    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.CASCADE, related_name="+"
    )
    product_id = models.BigIntegerField()
    day = models.DateField()
    currency = models.CharField(max_length=3)
    title = models.CharField(max_length=200)
    units = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "product_id", "day", "currency"], name="productdailyrollup_key"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "day"], name="productdailyrollup_vendor_day")]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.product_id} {self.day} {self.currency}"


class PendingRecompute(models.Model):
    """A (vendor, day) whose rollups a queued task is about to recompute. An event that
    finds its (vendor, day) already here queues nothing: the task takes the mark off
    before it reads, so it reads that event's changes too. A burst of orders of one
    vendor costs a few recomputes, not one per order."""

    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "day"], name="analytics_pending_once")
        ]

    def __str__(self) -> str:
        return f"vendor {self.vendor_id} on {self.day}"
