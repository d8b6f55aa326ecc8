"""Writes of sizing, and the size recommendation (chart scoring)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from shared_domain.accounts.selectors import vendor_profile_id_for_user
from shared_domain.catalog.selectors import ProductFitFacts, category_exists, product_fit_facts
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.sizing import blending, conversion, selectors
from shared_domain.sizing.errors import NoMeasurements, NoUsableMeasurements
from shared_domain.sizing.measurements import (
    BODY_FIELDS,
    CHART_MEASUREMENTS,
    CHART_RANGE_MAX,
    SCORED_MEASUREMENTS,
    body_clean,
)
from shared_domain.sizing.models import BodyProfile, FitType, SizeChart, SizeChartRow
from shared_domain.sizing.scoring import (
    Recommendation,
    SizeRange,
    chart_score,
    size_scores,
)
from shared_domain.sizing.vectors import body_vector, vector_body

MAX_ROWS = 30
EASE_MAX = Decimal(30)
BOTH_OR_NEITHER = "Give both the minimum and the maximum, or neither."
OUT_OF_BOUNDS = f"Must be between 0 and {CHART_RANGE_MAX} cm."


BRAND_SIZES_MAX = 10


def _brand_sizes_clean(raw: Any) -> list[dict[str, str]]:
    """`[{brand, system, size}]`: at most BRAND_SIZES_MAX, each size known to the
    conversion table of its system (for some garment)."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > BRAND_SIZES_MAX:
        raise ValidationFailed(
            "The sizes you wear are not valid.",
            details={"brand_sizes": [f"A list of at most {BRAND_SIZES_MAX} entries."]},
        )
    errors: dict[str, list[str]] = {}
    clean = []
    for index, entry in enumerate(raw):
        where = f"brand_sizes.{index}"
        if not isinstance(entry, Mapping) or set(entry) != {"brand", "system", "size"}:
            errors[where] = ["Give exactly brand, system and size."]
            continue
        brand, system, size = (str(entry[k]).strip() for k in ("brand", "system", "size"))
        if not brand or len(brand) > 100:
            errors[f"{where}.brand"] = ["1 to 100 characters."]
        if system not in conversion.SYSTEMS:
            errors[f"{where}.system"] = [f"One of: {', '.join(conversion.SYSTEMS)}."]
        elif not conversion.size_known(system=system, size=size):
            errors[f"{where}.size"] = [f"Not a {system} size."]
        clean.append({"brand": brand, "system": system, "size": conversion.normalise(size)})
    if errors:
        raise ValidationFailed("The sizes you wear are not valid.", details=errors)
    return clean


def body_profile_put(*, user: Any, data: Mapping[str, Any]) -> BodyProfile:
    """Replace the customer's body profile with `data` (absent measurements become
    unknown; fit preference defaults to regular; `brand_sizes` to none)."""
    if not user.is_customer:
        raise PermissionDenied("Only customers keep a body profile.")
    data = dict(data)
    brand_sizes = _brand_sizes_clean(data.pop("brand_sizes", None))
    clean = body_clean(data)
    clean["brand_sizes"] = brand_sizes
    profile, _ = BodyProfile.objects.update_or_create(user_id=user.pk, defaults=clean)
    return profile


def _body_of(values: Mapping[str, Any]) -> dict[str, Decimal | None]:
    return {name: values.get(f"{name}_cm") for name in SCORED_MEASUREMENTS}


def size_recommend(
    *, product_id: int, user: Any | None, measurements: Mapping[str, Any], blend: bool = True
) -> Recommendation:
    """The size of the product that fits best: from `measurements` (the query string's
    `*_cm`/`*_kg` values) when any is given, else the caller's body profile; a
    `fit_preference` given there wins over the profile's. The chart's scores are
    blended with the outcomes of similar bodies (sizing.blending) unless `blend` is
    off. A profile without measurements but with sizes worn in other brands gets a
    size converted from those. No measurements and no profile: NoMeasurements (400)."""
    body = body_clean({k: v for k, v in measurements.items() if v is not None})
    facts = product_fit_facts(product_id=product_id)
    chart = selectors.size_chart_for_facts(facts=facts)
    sizes = selectors.size_ranges(chart=chart)
    if not _has_measurements(body):
        profile = _profile_of(user)
        if profile is None:
            raise NoMeasurements()
        preference = measurements.get("fit_preference") or profile.fit_preference
        body = {name: getattr(profile, name) for name in BODY_FIELDS}
        body["fit_preference"] = preference
        if not _has_measurements(body):
            worn = _from_brand_sizes(profile.brand_sizes, facts=facts, sizes=sizes)
            if worn is None:
                raise NoMeasurements()
            return worn
    scored = _body_of(body)
    preference = body["fit_preference"]
    chart_rec = chart_score(
        body=scored, sizes=sizes, fit_preference=preference,
        fit_type=chart.fit_type, ease_cm=chart.ease_cm,
    )  # fmt: skip
    vector = body_vector(body) if blend else None
    if vector is None:
        return chart_rec
    found = selectors.fit_neighbours(
        product_id=product_id, vendor_id=facts.vendor_id, brand=facts.brand,
        vector=vector, k=blending.NEIGHBOURS,
    )  # fmt: skip
    if not found:
        return chart_rec
    chart_scores = size_scores(
        body=scored, sizes=sizes, fit_preference=preference,
        fit_type=chart.fit_type, ease_cm=chart.ease_cm,
    )  # fmt: skip
    labels = [size.label for size in sizes]
    neighbours = [
        dataclasses.replace(n, chart_size=_chart_size(theirs, sizes, chart, preference))
        for n, theirs in found
    ]
    mixed = blending.blend(
        labels=labels, chart=chart_scores, neighbours=neighbours, anchor=chart_rec.size
    )
    return blending.blended_recommendation(
        chart_rec, labels=labels, chart_scores=chart_scores, mixed=mixed,
        count=len(neighbours), size_up=preference != "slim",
    )  # fmt: skip


def _chart_size(
    vector: list[float], sizes: list[SizeRange], chart: Any, preference: str
) -> str | None:
    """The size the chart gives the body a vector stands for (as for the customer)."""
    body = vector_body(vector)
    try:
        return chart_score(
            body={name: body[name] for name in SCORED_MEASUREMENTS}, sizes=sizes,
            fit_preference=preference, fit_type=chart.fit_type, ease_cm=chart.ease_cm,
        ).size  # fmt: skip
    except NoUsableMeasurements:
        return None


def _from_brand_sizes(
    worn: list[dict[str, str]], *, facts: ProductFitFacts, sizes: list[SizeRange]
) -> Recommendation | None:
    """A weak recommendation from the sizes the customer wears in other brands,
    converted to the chart's size system (this product's brand first)."""
    labels = [size.label for size in sizes]
    target = conversion.system_of_labels(labels) or facts.size_system
    if not worn or target not in conversion.SYSTEMS:
        return None
    names = {name for size in sizes for name in size.ranges}
    garments = conversion.garments_of(
        department=facts.department, bottoms="chest" not in names and bool(names)
    )
    same = [w for w in worn if w["brand"].casefold() == facts.brand.strip().casefold()]
    by_label = {conversion.normalise(label): label for label in labels}
    for entries, confidence in ((same, 0.5), (worn, 0.35)):
        votes: dict[str, int] = {}
        used = None
        for entry in entries:
            converted = conversion.size_convert_first(
                garments=garments, system=entry["system"], size=entry["size"], to=target
            )
            for size in converted:
                if size in by_label:
                    votes[by_label[size]] = votes.get(by_label[size], 0) + 1
                    used = used or (entry, converted)
        if votes and used is not None:
            best = max(votes, key=lambda lb: (votes[lb], labels.index(lb)))
            entry, converted = used
            return Recommendation(
                size=best,
                confidence=confidence,
                alternatives=[],
                reason=(
                    f"From the size you wear in {entry['brand']} ({entry['system'].upper()} "
                    f"{entry['size']}, {'/'.join(converted)} in {target}): {best} on this "
                    "chart. Save your measurements for a closer fit."
                ),
            )
    return None


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
