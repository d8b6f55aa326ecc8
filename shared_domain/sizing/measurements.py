"""The body measurements sizing knows, their units and the plausible range of each.
One place for both APIs: a value outside its range is a 400 naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from shared_domain.common.errors import ValidationFailed

FIT_PREFERENCES = ("slim", "regular", "loose")

# field -> (lowest, highest), inclusive. Wide enough for children and tall adults.
BODY_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "height_cm": (Decimal(50), Decimal(250)),
    "weight_kg": (Decimal(10), Decimal(300)),
    "chest_cm": (Decimal(40), Decimal(200)),
    "waist_cm": (Decimal(35), Decimal(200)),
    "hips_cm": (Decimal(40), Decimal(200)),
    "inseam_cm": (Decimal(20), Decimal(120)),
    "shoulder_cm": (Decimal(20), Decimal(80)),
}
BODY_FIELDS = tuple(BODY_RANGES)
# Measurements a size chart row gives ranges for (garment length has no body twin).
CHART_MEASUREMENTS = ("chest", "waist", "hips", "inseam", "shoulder", "length")
# Those a body can be compared on.
SCORED_MEASUREMENTS = ("chest", "waist", "hips", "inseam", "shoulder")
CHART_RANGE_MAX = Decimal(300)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def body_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Checked body measurements and fit preference: numbers within their plausible
    range (rounded to 0.1), None for absent; every problem in one ValidationFailed."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in sorted(set(data) - {*BODY_FIELDS, "fit_preference"}):
        errors[name] = ["Unknown field."]
    for name, (low, high) in BODY_RANGES.items():
        raw = data.get(name)
        if raw is None:
            clean[name] = None
            continue
        number = _number(raw)
        unit = "kg" if name.endswith("_kg") else "cm"
        if number is None:
            errors[name] = ["Expected a number."]
        elif not low <= number <= high:
            errors[name] = [f"Must be between {low} and {high} {unit}."]
        else:
            clean[name] = number.quantize(Decimal("0.1"))
    fit = data.get("fit_preference")
    if fit is None:
        clean["fit_preference"] = "regular"
    elif fit not in FIT_PREFERENCES:
        errors["fit_preference"] = [f"Must be one of: {', '.join(FIT_PREFERENCES)}."]
    else:
        clean["fit_preference"] = fit
    if errors:
        raise ValidationFailed("Some measurements are not valid.", details=errors)
    return clean
