"""Reads of sizing: the chart that applies to a product, a vendor's charts, a
customer's body profile."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.db.models import Q
from pgvector.django import L2Distance

from shared_domain.catalog.params import FitRule, FitScope
from shared_domain.catalog.selectors import ProductFitFacts, category_subtrees, product_fit_facts
from shared_domain.common.errors import NotFound, PermissionDenied
from shared_domain.sizing.blending import Neighbour
from shared_domain.sizing.errors import (
    BodyProfileRequired,
    NoBodyProfile,
    NoSizeChart,
    NoUsableMeasurements,
)
from shared_domain.sizing.measurements import CHART_MEASUREMENTS, SCORED_MEASUREMENTS
from shared_domain.sizing.models import (
    BodyProfile,
    FitOutcome,
    PhotoMeasurement,
    SizeChart,
    SizeChartRow,
)
from shared_domain.sizing.outcomes import FitSignal, fit_signal_of_product
from shared_domain.sizing.scoring import SizeRange, chart_score


def size_chart_for_product(*, product_id: int) -> SizeChart:
    """The most specific chart of the product's vendor that applies to it: a chart for
    the product's category beats one for a parent category, which beats one for all
    categories; at equal category, one for the product's brand beats one for all
    brands; then the newest. No chart applies: NoSizeChart (404)."""
    return size_chart_for_facts(facts=product_fit_facts(product_id=product_id))


def size_chart_for_facts(*, facts: ProductFitFacts) -> SizeChart:
    """As `size_chart_for_product`, for a product whose facts were read already."""
    brand_match = Q(brand="")
    if facts.brand:
        brand_match |= Q(brand__iexact=facts.brand)
    candidates = list(
        SizeChart.objects.filter(
            brand_match,
            Q(category__isnull=True) | Q(category_id__in=facts.category_ids),
            vendor_id=facts.vendor_id,
        ).prefetch_related("rows")
    )
    if not candidates:
        raise NoSizeChart()
    depth = {cid: len(facts.category_ids) - i for i, cid in enumerate(facts.category_ids)}

    def specificity(chart: SizeChart) -> tuple[int, bool, int]:
        return (depth.get(chart.category_id or 0, 0), bool(chart.brand), chart.pk)

    return max(candidates, key=specificity)


def size_ranges(*, chart: SizeChart) -> list[SizeRange]:
    """The chart's sizes, smallest first, with the ranges each gives."""
    sizes = []
    for row in sorted(chart.rows.all(), key=lambda r: r.position):
        ranges = {}
        for name in CHART_MEASUREMENTS:
            low, high = getattr(row, f"{name}_min"), getattr(row, f"{name}_max")
            if low is not None and high is not None:
                ranges[name] = (low, high)
        sizes.append(SizeRange(label=row.label, ranges=ranges))
    return sizes


def size_chart_list_for_vendor(*, vendor_id: int) -> list[SizeChart]:
    return list(
        SizeChart.objects.filter(vendor_id=vendor_id).prefetch_related("rows").order_by("-id")
    )


def size_chart_get_for_vendor(*, vendor_id: int, chart_id: int) -> SizeChart:
    """One of the vendor's charts; another vendor's is not found (its existence is not
    revealed)."""
    chart = (
        SizeChart.objects.filter(vendor_id=vendor_id, pk=chart_id).prefetch_related("rows").first()
    )
    if chart is None:
        raise NotFound("No such size chart.")
    return chart


def size_chart_rows(*, chart: SizeChart) -> list[SizeChartRow]:
    return sorted(chart.rows.all(), key=lambda r: r.position)


def body_profile_get(*, user: Any) -> BodyProfile:
    """The customer's body profile; none saved yet: NoBodyProfile (404)."""
    if not user.is_customer:
        raise PermissionDenied("Only customers keep a body profile.")
    profile = BodyProfile.objects.filter(user_id=user.pk).first()
    if profile is None:
        raise NoBodyProfile()
    return profile


def measurement_get_for_user(
    *, user: Any, measurement_id: Any, for_update: bool = False
) -> PhotoMeasurement:
    """A photo measurement of the caller's; anyone else's, or a malformed id: NotFound."""
    try:
        measurement_uuid = uuid.UUID(str(measurement_id))
    except ValueError:
        raise NotFound() from None
    rows = PhotoMeasurement.objects.filter(pk=measurement_uuid, user_id=user.pk)
    measurement = (rows.select_for_update() if for_update else rows).first()
    if measurement is None:
        raise NotFound()
    return measurement


__all__ = ["FitSignal", "fit_signal_of_product"]  # and the functions below


# Fewer outcomes of the product itself than this: add those of the vendor's other
# products of the same brand.
PRODUCT_NEIGHBOURS_MIN = 5


def fit_neighbours(
    *, product_id: int, vendor_id: int, brand: str, vector: list[float], k: int
) -> list[tuple[Neighbour, list[float]]]:
    """The `k` outcomes with a body nearest to `vector` (L2, HNSW index) among the
    buyers of the product, topped up from the same vendor's products of the same
    brand when the product has few (one or two queries); each with its body vector."""

    def nearest(rows: Any, limit: int) -> list[tuple[Neighbour, list[float]]]:
        found = (
            rows.filter(body__isnull=False)
            .annotate(distance=L2Distance("body", vector))
            .order_by("distance")
            .values_list("distance", "size_label", "kept", "too_small", "too_large", "body")[
                :limit
            ]
        )
        return [
            (Neighbour(float(d), label, kept, small, large), [float(x) for x in body])
            for d, label, kept, small, large, body in found
        ]

    found = nearest(FitOutcome.objects.filter(product_id=product_id), k)
    if len(found) < PRODUCT_NEIGHBOURS_MIN:
        others = FitOutcome.objects.filter(
            vendor_id=vendor_id, brand_key=brand.strip().upper()
        ).exclude(product_id=product_id)
        found += nearest(others, k - len(found))
    return found


def fits_me_rules(*, user: Any) -> tuple[FitRule, ...]:
    """The catalog filter of "products that fit me": for each size chart, the size
    the caller's body profile scores best on it (the chart alone, computed once per
    chart, never per product), and the products that chart decides (its scope less
    those of the vendor's more specific charts). A caller without a profile with
    measurements: BodyProfileRequired (400). Three queries (profile, charts, sizes)
    and the cached category tree."""
    profile = BodyProfile.objects.filter(user_id=user.pk).first() if user.is_customer else None
    body = (
        {name: getattr(profile, f"{name}_cm") for name in SCORED_MEASUREMENTS} if profile else {}
    )
    if profile is None or all(value is None for value in body.values()):
        raise BodyProfileRequired()
    charts = list(SizeChart.objects.prefetch_related("rows").order_by("vendor_id", "pk"))
    subtrees = category_subtrees(c.category_id for c in charts if c.category_id)
    scopes: dict[int, FitScope] = {}
    ranks: dict[int, tuple[int, bool, int]] = {}
    for chart in charts:
        depth, ids = subtrees.get(chart.category_id or 0, (0, None))
        if chart.category_id and ids is None:
            continue  # a category no longer in the tree
        scopes[chart.pk] = FitScope(chart.vendor_id, chart.brand.strip(), ids)
        ranks[chart.pk] = (depth, bool(chart.brand), chart.pk)
    by_vendor: dict[int, list[SizeChart]] = defaultdict(list)
    for chart in charts:
        if chart.pk in scopes:
            by_vendor[chart.vendor_id].append(chart)
    rules = []
    for chart in (c for mine in by_vendor.values() for c in mine):
        try:
            best = chart_score(
                body=body, sizes=size_ranges(chart=chart), fit_preference=profile.fit_preference,
                fit_type=chart.fit_type, ease_cm=chart.ease_cm,
            ).size  # fmt: skip
        except NoUsableMeasurements:
            continue
        # The vendor's more specific charts take their products from this one.
        unless = tuple(
            scopes[other.pk]
            for other in by_vendor[chart.vendor_id]
            if ranks[other.pk] > ranks[chart.pk]
        )
        rules.append(FitRule(scope=scopes[chart.pk], size=best, unless=unless))
    return tuple(rules)
