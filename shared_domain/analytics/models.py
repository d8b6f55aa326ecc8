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


class VendorAnalyticsSettings(models.Model):
    """A vendor's own analytics settings; no row means the platform defaults."""

    vendor = models.OneToOneField(
        "accounts.VendorProfile", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    # Variants with this many units available or fewer are low stock (dashboard, report).
    low_stock_threshold = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"vendor {self.vendor_id}: low stock at {self.low_stock_threshold}"


class Report(models.Model):
    """A report file asked for by a vendor (sales, low stock, inventory) or staff (the
    platform report), built by a task on the `analytics` queue into the private
    `reports` storage and handed out only to its owner through short-lived signed
    links."""

    class Kind(models.TextChoices):
        SALES = "sales", "Sales"
        LOW_STOCK = "low_stock", "Low stock"
        INVENTORY = "inventory", "Inventory"
        PLATFORM = "platform", "Platform"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.CASCADE, related_name="+", null=True
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # {"start", "end", "granularity"}: what was asked, as given to the builder.
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    rows = models.PositiveIntegerField(default=0)
    # Names in the `reports` storage; empty until built (no chart for stock reports).
    csv_file = models.CharField(max_length=255, blank=True)
    chart_file = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="analytics_report_created")]

    def __str__(self) -> str:
        return f"{self.kind} report {self.pk}"
