"""Writes of sizing, and the size recommendation (chart scoring)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared_domain.accounts.selectors import vendor_profile_id_for_user
from shared_domain.catalog.selectors import ProductFitFacts, category_exists, product_fit_facts
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.common.tasking import enqueue_for_user
from shared_domain.sizing import blending, conversion, estimation, photos, selectors
from shared_domain.sizing.errors import (
    EstimatorUnavailable,
    MeasurementNotReady,
    NoMeasurements,
)
from shared_domain.sizing.measurements import (
    BODY_FIELDS,
    BODY_RANGES,
    CHART_MEASUREMENTS,
    CHART_RANGE_MAX,
    SCORED_MEASUREMENTS,
    body_clean,
)
from shared_domain.sizing.models import (
    BodyProfile,
    FitType,
    PhotoMeasurement,
    SizeChart,
    SizeChartRow,
)
from shared_domain.sizing.scoring import (
    Recommendation,
    SizeRange,
    chart_score,
    size_scores,
)
from shared_domain.sizing.vectors import body_vector, vector_body

logger = logging.getLogger(__name__)

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


@transaction.atomic
def body_profile_update(*, user: Any, data: Mapping[str, Any]) -> BodyProfile:
    """Change only the measurements in `data` (`chest_cm`…), keeping the others and the
    fit preference; creates the profile when the customer has none."""
    if not user.is_customer:
        raise PermissionDenied("Only customers keep a body profile.")
    profile = BodyProfile.objects.select_for_update().filter(user_id=user.pk).first()
    current: dict[str, Any] = {}
    if profile is not None:
        current = {name: getattr(profile, name) for name in BODY_FIELDS}
        current["fit_preference"] = profile.fit_preference
    merged = {k: v for k, v in {**current, **data}.items() if v is not None}
    clean = body_clean(merged)
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
    # A neighbour's chart size from the measurements the customer gave, as the
    # customer's own was scored (a vector's unknowns read back as population means).
    known = {name for name, value in scored.items() if value is not None}
    neighbours = [
        dataclasses.replace(n, chart_size=_chart_size(theirs, sizes, chart, preference, known))
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
    vector: list[float], sizes: list[SizeRange], chart: Any, preference: str, known: set[str]
) -> str:
    """The size the chart gives the body a vector stands for, scored on the `known`
    measurements only (those the customer's own size was scored on)."""
    body = vector_body(vector)
    return chart_score(
        body={name: (body[name] if name in known else None) for name in SCORED_MEASUREMENTS},
        sizes=sizes, fit_preference=preference, fit_type=chart.fit_type, ease_cm=chart.ease_cm,
    ).size  # fmt: skip


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
        # Per label, the first entry that voted for it: the reason names one of those.
        evidence: dict[str, tuple[dict[str, str], list[str]]] = {}
        for entry in entries:
            converted = conversion.size_convert_first(
                garments=garments, system=entry["system"], size=entry["size"], to=target
            )
            for size in converted:
                if size in by_label:
                    label = by_label[size]
                    votes[label] = votes.get(label, 0) + 1
                    evidence.setdefault(label, (entry, converted))
        if votes:
            best = max(votes, key=lambda lb: (votes[lb], labels.index(lb)))
            entry, converted = evidence[best]
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


# --------------------------------------------------------------- photo measurements
def measurement_start(
    *, user: Any, photo: IO[bytes], photo_size: int, height_cm: Any
) -> PhotoMeasurement:
    """Accept a customer's full-body photo and stated height for measuring: the photo is
    checked and stored without metadata, and the estimate is queued (queue `ai`).
    Refused before anything is stored: non-customers (403), no estimator installed
    (503 `estimator_unavailable`), a height out of range (400 `validation_error`), an
    unusable photo (400 `unusable_photo`, 413 `photo_too_large`)."""
    if not user.is_customer:
        raise PermissionDenied("Only customers measure themselves from a photo.")
    # A photo nothing can measure is not kept, not even for a while. (The estimator
    # itself, and its model, are loaded by the workers only.)
    if not estimation.estimator_path():
        raise EstimatorUnavailable()
    height = body_clean({"height_cm": height_cm})["height_cm"]
    if height is None:
        raise ValidationFailed(details={"height_cm": ["This field is required."]})
    name = photos.photo_save(photos.photo_clean(stream=photo, size=photo_size))
    try:
        with transaction.atomic():
            measurement = PhotoMeasurement.objects.create(
                user_id=user.pk,
                height_cm=height,
                photo=name,
                estimator=estimation.estimator_path(),
            )
            from shared_domain.sizing.tasks import estimate_measurements

            result = enqueue_for_user(
                estimate_measurements, user.pk, measurement_id=str(measurement.pk)
            )
            measurement.task_id = str(result.id)
            measurement.save(update_fields=["task_id"])
    except BaseException:
        photos.photo_delete(name)
        raise
    return measurement


def measurement_estimate(*, measurement_id: str, last_attempt: bool) -> PhotoMeasurement:
    """Run the estimator on a measurement's photo, once: `done` with the results, or
    `failed` with a reason; the photo is deleted either way. Safe to run twice (a
    measurement that has ended is left as it is). An unexpected estimator error is
    raised for a retry; on the last attempt the measurement fails first
    (`estimator_error`)."""
    Status = PhotoMeasurement.Status
    with transaction.atomic():
        measurement = PhotoMeasurement.objects.select_for_update().get(pk=measurement_id)
        if measurement.status in (Status.DONE, Status.FAILED):
            return measurement
        measurement.status = Status.PROCESSING
        measurement.save(update_fields=["status"])
    if not estimation.estimator_path():
        return _measurement_end(measurement_id, failure="estimator_unavailable")
    try:
        image = photos.photo_open(measurement.photo) if measurement.photo else None
    except FileNotFoundError:
        image = None
    if image is None:
        return _measurement_end(measurement_id, failure="photo_missing")
    try:
        # Loaded on first use in this process (a model may take a while to load).
        estimator = estimation.estimator_get()
        if estimator is None:
            return _measurement_end(measurement_id, failure="estimator_unavailable")
        raw = estimator.estimate(image=image, height_cm=measurement.height_cm)
    except estimation.EstimationFailed as exc:
        return _measurement_end(measurement_id, failure=exc.reason)
    except Exception:
        if last_attempt:
            logger.exception("the estimator failed on the last attempt")
            _measurement_end(measurement_id, failure="estimator_error")
        raise
    results = _plausible(raw)
    if not results:
        return _measurement_end(measurement_id, failure="no_plausible_measurements")
    return _measurement_end(measurement_id, results=results)


def _plausible(raw: Mapping[str, estimation.Estimate]) -> dict[str, dict[str, float]]:
    """The estimates a body profile could hold (known name, within its plausible range,
    a finite non-negative uncertainty), rounded to 0.1 cm."""
    out: dict[str, dict[str, float]] = {}
    for name in SCORED_MEASUREMENTS:
        estimate = raw.get(name)
        if estimate is None:
            continue
        low, high = BODY_RANGES[f"{name}_cm"]
        value = Decimal(str(estimate.value_cm))
        spread = Decimal(str(estimate.uncertainty_cm))
        if not (value.is_finite() and spread.is_finite()) or spread < 0:
            continue
        if low <= value <= high:
            out[name] = {
                "value_cm": float(value.quantize(Decimal("0.1"))),
                "uncertainty_cm": float(spread.quantize(Decimal("0.1"))),
            }
    return out


def _measurement_end(
    measurement_id: str,
    *,
    results: dict[str, dict[str, float]] | None = None,
    failure: str = "",
) -> PhotoMeasurement:
    """Record the outcome (unless another run did first) and delete the photo."""
    Status = PhotoMeasurement.Status
    with transaction.atomic():
        measurement = PhotoMeasurement.objects.select_for_update().get(pk=measurement_id)
        if measurement.status in (Status.DONE, Status.FAILED):
            return measurement
        name = measurement.photo
        measurement.status = Status.FAILED if failure else Status.DONE
        measurement.failure_reason = failure
        measurement.results = results or {}
        measurement.finished_at = timezone.now()
        measurement.photo = ""
        measurement.save(
            update_fields=["status", "failure_reason", "results", "finished_at", "photo"]
        )
        transaction.on_commit(lambda: photos.photo_delete(name))
    return measurement


def measurement_photos_prune() -> int:
    """Delete every photo kept longer than MEASUREMENT_PHOTO_RETENTION_HOURS (its
    estimate never ended: the measurement fails with `expired`). Returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.MEASUREMENT_PHOTO_RETENTION_HOURS)
    ids = list(
        PhotoMeasurement.objects.filter(created_at__lt=cutoff)
        .exclude(photo="")
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    Status = PhotoMeasurement.Status
    for measurement_id in ids:
        with transaction.atomic():
            measurement = PhotoMeasurement.objects.select_for_update().get(pk=measurement_id)
            name = measurement.photo
            if not name:
                continue
            measurement.photo = ""
            fields = ["photo"]
            if measurement.status not in (Status.DONE, Status.FAILED):
                measurement.status = Status.FAILED
                measurement.failure_reason = "expired"
                measurement.finished_at = timezone.now()
                fields += ["status", "failure_reason", "finished_at"]
            measurement.save(update_fields=fields)
            transaction.on_commit(lambda name=name: photos.photo_delete(name))  # type: ignore[misc]
    return len(ids)


@transaction.atomic
def measurement_confirm(
    *, user: Any, measurement_id: Any, names: Sequence[str] | None = None
) -> BodyProfile:
    """Copy a done measurement's estimates (all, or those `names` chooses) into the
    customer's body profile, leaving its other values as they are. Another customer's
    measurement is 404; one not done is 409 `measurement_not_ready`."""
    measurement = selectors.measurement_get_for_user(
        user=user, measurement_id=measurement_id, for_update=True
    )
    if measurement.status != PhotoMeasurement.Status.DONE:
        raise MeasurementNotReady(details={"status": measurement.status})
    chosen = list(measurement.results) if names is None else list(dict.fromkeys(names))
    missing = [name for name in chosen if name not in measurement.results]
    if not chosen or missing:
        message = (
            f"Not estimated in this measurement: {', '.join(missing)}."
            if missing
            else "Choose at least one measurement."
        )
        raise ValidationFailed(details={"measurements": [message]})
    profile = body_profile_update(
        user=user,
        data={f"{name}_cm": measurement.results[name]["value_cm"] for name in chosen},
    )
    measurement.confirmed = sorted({*measurement.confirmed, *chosen})
    measurement.confirmed_at = timezone.now()
    measurement.save(update_fields=["confirmed", "confirmed_at"])
    return profile
