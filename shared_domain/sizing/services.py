"""Writes of sizing, and the size recommendation (chart scoring)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from shared_domain.accounts.selectors import vendor_profile_id_for_user
from shared_domain.catalog.selectors import category_exists
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.sizing import selectors
from shared_domain.sizing.errors import NoMeasurements
from shared_domain.sizing.measurements import (
    BODY_FIELDS,
    CHART_MEASUREMENTS,
    CHART_RANGE_MAX,
    SCORED_MEASUREMENTS,
    body_clean,
)
from shared_domain.sizing.models import BodyProfile, FitType, SizeChart, SizeChartRow
from shared_domain.sizing.scoring import Recommendation, chart_score

MAX_ROWS = 30
EASE_MAX = Decimal(30)
BOTH_OR_NEITHER = "Give both the minimum and the maximum, or neither."
OUT_OF_BOUNDS = f"Must be between 0 and {CHART_RANGE_MAX} cm."


def body_profile_put(*, user: Any, data: Mapping[str, Any]) -> BodyProfile:
    """Replace the customer's body profile with `data` (absent measurements become
    unknown; fit preference defaults to regular)."""
    if not user.is_customer:
        raise PermissionDenied("Only customers keep a body profile.")
    clean = body_clean(data)
    profile, _ = BodyProfile.objects.update_or_create(user_id=user.pk, defaults=clean)
    return profile


def _body_of(values: Mapping[str, Any]) -> dict[str, Decimal | None]:
    return {name: values.get(f"{name}_cm") for name in SCORED_MEASUREMENTS}


def size_recommend(
    *, product_id: int, user: Any | None, measurements: Mapping[str, Any]
) -> Recommendation:
    """The size of the product that fits best: from `measurements` (the query string's
    `*_cm`/`*_kg` values) when any is given, else the caller's body profile; a
    `fit_preference` given there wins over the profile's. No measurements and no
    profile: NoMeasurements (400)."""
    body = body_clean({k: v for k, v in measurements.items() if v is not None})
    chart = selectors.size_chart_for_product(product_id=product_id)
    if not _has_measurements(body):
        profile = _profile_of(user)
        if profile is None:
            raise NoMeasurements()
        preference = measurements.get("fit_preference") or profile.fit_preference
        body = {name: getattr(profile, name) for name in BODY_FIELDS}
        body["fit_preference"] = preference
        if not _has_measurements(body):
            raise NoMeasurements()
    return chart_score(
        body=_body_of(body),
        sizes=selectors.size_ranges(chart=chart),
        fit_preference=body["fit_preference"],
        fit_type=chart.fit_type,
        ease_cm=chart.ease_cm,
    )


def _has_measurements(body: Mapping[str, Any]) -> bool:
    return any(body.get(name) is not None for name in BODY_FIELDS)


def _profile_of(user: Any | None) -> BodyProfile | None:
    if user is None or not user.is_customer:
        return None
    return BodyProfile.objects.filter(user_id=user.pk).first()


# --------------------------------------------------------------------- vendor charts
def size_chart_vendor(*, user: Any) -> int:
    """The vendor whose charts a user manages: vendors only."""
    vendor_id = vendor_profile_id_for_user(user=user) if user.is_vendor else None
    if vendor_id is None:
        raise PermissionDenied("Only vendors manage size charts.")
    return vendor_id


def _chart_clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    errors: dict[str, list[str]] = {}
    fields = {
        "name": data["name"],
        "brand": data.get("brand", ""),
        "category_id": data.get("category"),
        "fit_type": data.get("fit_type", FitType.REGULAR),
        "ease_cm": Decimal(str(data.get("ease_cm", 0))),
    }
    if fields["category_id"] is not None and not category_exists(
        category_id=fields["category_id"]
    ):
        errors["category"] = ["No such category."]
    if not Decimal(0) <= fields["ease_cm"] <= EASE_MAX:
        errors["ease_cm"] = [f"Must be between 0 and {EASE_MAX} cm."]
    rows = list(data["rows"])
    if not rows:
        errors["rows"] = ["A chart needs at least one size."]
    elif len(rows) > MAX_ROWS:
        errors["rows"] = [f"At most {MAX_ROWS} sizes."]
    seen: set[str] = set()
    clean_rows = []
    for index, row in enumerate(rows):
        where = f"rows.{index}"
        label = row["label"].strip()
        if label.casefold() in seen:
            errors[f"{where}.label"] = ["Each size appears once."]
        seen.add(label.casefold())
        clean = {"label": label, "position": index}
        for name in CHART_MEASUREMENTS:
            low, high = row.get(f"{name}_min"), row.get(f"{name}_max")
            if (low is None) != (high is None):
                errors[f"{where}.{name}_min"] = [BOTH_OR_NEITHER]
            elif low is not None and high is not None:
                if not (0 < low <= CHART_RANGE_MAX and 0 < high <= CHART_RANGE_MAX):
                    errors[f"{where}.{name}_min"] = [OUT_OF_BOUNDS]
                elif low > high:
                    errors[f"{where}.{name}_min"] = ["The minimum is above the maximum."]
            clean[f"{name}_min"], clean[f"{name}_max"] = low, high
        if not any(clean[f"{n}_min"] is not None for n in CHART_MEASUREMENTS):
            errors.setdefault(f"{where}", ["A size needs at least one measurement range."])
        clean_rows.append(clean)
    if errors:
        raise ValidationFailed("The size chart is not valid.", details=errors)
    return fields, clean_rows


@transaction.atomic
def size_chart_create(*, vendor_id: int, data: Mapping[str, Any]) -> SizeChart:
    fields, rows = _chart_clean(data)
    chart = SizeChart.objects.create(vendor_id=vendor_id, **fields)
    SizeChartRow.objects.bulk_create(SizeChartRow(chart=chart, **row) for row in rows)
    return selectors.size_chart_get_for_vendor(vendor_id=vendor_id, chart_id=chart.pk)


@transaction.atomic
def size_chart_replace(*, chart: SizeChart, data: Mapping[str, Any]) -> SizeChart:
    """Replace the chart's fields and sizes with `data`."""
    fields, rows = _chart_clean(data)
    locked = SizeChart.objects.select_for_update().get(pk=chart.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    SizeChartRow.objects.filter(chart=locked).delete()
    SizeChartRow.objects.bulk_create(SizeChartRow(chart=locked, **row) for row in rows)
    return selectors.size_chart_get_for_vendor(vendor_id=locked.vendor_id, chart_id=locked.pk)


@transaction.atomic
def size_chart_delete(*, chart: SizeChart) -> None:
    SizeChart.objects.filter(pk=chart.pk).delete()
