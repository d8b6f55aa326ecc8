"""Size charts of the vendors and the body profiles of the customers."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from pgvector.django import HnswIndex, VectorField


class FitType(models.TextChoices):
    SLIM = "slim", "Slim"
    REGULAR = "regular", "Regular"
    LOOSE = "loose", "Loose"


def _cm() -> Any:
    return models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)


class SizeChart(models.Model):
    """A vendor's chart: for all its products, or narrowed to a brand and/or a category
    (the product type, with its subcategories). Row ranges are garment measurements;
    `ease_cm` is the room the cut adds over the body at chest, waist and hips (0 when
    the ranges are already body measurements)."""

    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    brand = models.CharField(max_length=100, blank=True)
    # A chart for a category that is gone would silently widen to every product.
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fit_type = models.CharField(max_length=10, choices=FitType.choices, default=FitType.REGULAR)
    ease_cm = models.DecimalField(max_digits=4, decimal_places=1, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["vendor", "brand"], name="sizechart_vendor_brand_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ease_cm__gte=0) & Q(ease_cm__lte=30), name="sizechart_ease_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SizeChartRow(models.Model):
    """One size of a chart: its label and, per measurement, the range it is cut for."""

    chart = models.ForeignKey(SizeChart, on_delete=models.CASCADE, related_name="rows")
    label = models.CharField(max_length=20)
    # Smallest size first: the order "between sizes" and "size up" refer to.
    position = models.PositiveSmallIntegerField()
    chest_min = _cm()
    chest_max = _cm()
    waist_min = _cm()
    waist_max = _cm()
    hips_min = _cm()
    hips_max = _cm()
    inseam_min = _cm()
    inseam_max = _cm()
    shoulder_min = _cm()
    shoulder_max = _cm()
    length_min = _cm()
    length_max = _cm()

    class Meta:
        ordering = ("chart", "position")
        constraints = [
            models.UniqueConstraint(fields=["chart", "label"], name="sizechartrow_unique_label"),
            models.UniqueConstraint(
                fields=["chart", "position"], name="sizechartrow_unique_position"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{m}_min__isnull": True})
                    | Q(**{f"{m}_max__isnull": True})
                    | Q(**{f"{m}_min__lte": F(f"{m}_max")}),
                    name=f"sizechartrow_{m}_ordered",
                )
                for m in ("chest", "waist", "hips", "inseam", "shoulder", "length")
            ),
        ]

    def __str__(self) -> str:
        return self.label


class BodyProfile(models.Model):
    """A customer's measurements (cm, kg); any may be unknown."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="body_profile"
    )
    height_cm = _cm()
    weight_kg = _cm()
    chest_cm = _cm()
    waist_cm = _cm()
    hips_cm = _cm()
    inseam_cm = _cm()
    shoulder_cm = _cm()
    fit_preference = models.CharField(
        max_length=10, choices=FitType.choices, default=FitType.REGULAR
    )
    # Sizes the customer wears in other brands: [{"brand", "garment", "system", "size"}],
    # a weak signal when no measurement is known (see sizing.conversion).
    brand_sizes = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"body profile of {self.user_id}"


class PhotoMeasurement(models.Model):
    """Body measurements estimated from a customer's photo and stated height. The photo
    (a name in the private `measurement_photos` storage) exists only until the
    estimate has ended; `results` maps a measurement (chest, waist, hips, inseam,
    shoulder) to {"value_cm", "uncertainty_cm"}."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    height_cm = models.DecimalField(max_digits=5, decimal_places=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    photo = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    estimator = models.CharField(max_length=200, blank=True)
    results = models.JSONField(default=dict, blank=True)
    failure_reason = models.CharField(max_length=40, blank=True)
    confirmed = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="photomeasure_user_created_idx"),
            # The retention sweep: photos still stored, oldest first.
            models.Index(
                fields=["created_at"], condition=~Q(photo=""), name="photomeasure_photo_kept_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(height_cm__gte=50) & Q(height_cm__lte=250),
                name="photomeasure_height_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "processing", "done", "failed"]),
                name="photomeasure_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"photo measurement {self.pk} ({self.status})"


# Dimensions of a body vector, in this order (see sizing.vectors).
BODY_VECTOR_DIMENSIONS = 6


class FitOutcome(models.Model):
    """How a delivered item fitted: the buyer's body (normalised measurements at
    delivery, when known), the size label bought, and the units kept or returned as
    too small / too large (other returns are neither). One per order item, refreshed
    from the orders context whenever the item is delivered or returned."""

    order_item_id = models.BigIntegerField(unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    product_id = models.BigIntegerField()
    vendor_id = models.BigIntegerField()
    # Upper-cased, so "same vendor and brand" is one equality.
    brand_key = models.CharField(max_length=100, blank=True)
    size_label = models.CharField(max_length=32)
    kept = models.PositiveIntegerField(default=0)
    too_small = models.PositiveIntegerField(default=0)
    too_large = models.PositiveIntegerField(default=0)
    body = VectorField(dimensions=BODY_VECTOR_DIMENSIONS, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["product_id"], name="fitoutcome_product_idx"),
            models.Index(fields=["vendor_id", "brand_key"], name="fitoutcome_vendor_brand_idx"),
            HnswIndex(
                name="fitoutcome_body_hnsw",
                fields=["body"],
                m=16,
                ef_construction=64,
                opclasses=["vector_l2_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.order_item_id}: {self.size_label}"


class ProductFitSignal(models.Model):
    """Per product, units delivered and kept, and units returned as too small or too
    large: counters moved by the fit outcome handler, read as they are by the product
    detail (never aggregated per request)."""

    product_id = models.BigIntegerField(primary_key=True)
    kept = models.IntegerField(default=0)
    too_small = models.IntegerField(default=0)
    too_large = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"fit of product {self.product_id}"
