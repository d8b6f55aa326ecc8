"""Chart scoring: how well each size of a chart fits a body, without the database.

Per measurement the body has and the size gives a range for, the body is placed in the
range less the ease. Inside, the score runs from 1 in the middle to 0.7 at the edges;
outside, it falls from 0.7 to 0 over one range width (at least 4 cm). For the girths
(chest, waist, hips) the body is first moved by the fit asked for: up for a loose
preference or a slim-cut garment (so the roomier size wins), down for a slim
preference. A size's score is the mean over the measurements used; measurements
either side lacks are ignored. On a tie (a body exactly between two sizes) a regular
or loose fit takes the larger size, a slim one the smaller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from shared_domain.sizing.errors import NoUsableMeasurements

# How far (cm) the girths are moved per the customer's preference and the garment's
# cut: a slim cut runs tight, so it asks for more room, as a loose preference does.
PREFERENCE_SHIFT_CM = {"slim": -2.0, "regular": 0.0, "loose": 3.0}
CUT_SHIFT_CM = {"slim": 2.0, "regular": 0.0, "loose": -2.0}
EASED = ("chest", "waist", "hips")
OUTSIDE_START = 0.7
MIN_TOLERANCE_CM = 4.0
ALTERNATIVE_MIN = 0.3
MAX_ALTERNATIVES = 2
BETWEEN_MARGIN = 0.1


@dataclass(frozen=True)
class SizeRange:
    label: str
    # measurement -> (min, max); a measurement the chart leaves out is absent.
    ranges: Mapping[str, tuple[Decimal, Decimal]]


@dataclass(frozen=True)
class Alternative:
    size: str
    confidence: float


@dataclass(frozen=True)
class Recommendation:
    size: str
    confidence: float
    alternatives: list[Alternative]
    reason: str


def _measure_score(value: float, low: float, high: float) -> float:
    width = high - low
    if low <= value <= high:
        position = (value - low) / width if width > 0 else 0.5
        return 1.0 - 0.6 * abs(position - 0.5)
    distance = low - value if value < low else value - high
    tolerance = max(width, MIN_TOLERANCE_CM)
    return max(0.0, OUTSIDE_START * (1.0 - distance / tolerance))


def chart_score(
    *,
    body: Mapping[str, Decimal | None],
    sizes: Sequence[SizeRange],
    fit_preference: str = "regular",
    fit_type: str = "regular",
    ease_cm: Decimal = Decimal(0),
) -> Recommendation:
    """The best size of `sizes` (smallest first) for `body` (measurement -> cm)."""
    scored, neutrals = _scored(body, sizes, fit_preference, fit_type, ease_cm)
    chart_names = {name for size in sizes for name in size.ranges}
    # Highest score; on a tie the larger size for a regular or loose fit, else smaller.
    size_up = fit_preference != "slim"
    ranked = sorted(scored, key=lambda s: (s[0], s[1] if size_up else -s[1]), reverse=True)
    best_score, best_index, best_label, used = ranked[0]
    # Fewer of the chart's measurements known, less confidence.
    coverage = len(used) / max(1, len(chart_names - {"length"}))

    def confidence(score: float) -> float:
        return round(score * (0.6 + 0.4 * min(1.0, coverage)), 2)

    alternatives = [
        Alternative(size=label, confidence=confidence(score))
        for score, _, label, _ in ranked[1:]
        if score >= ALTERNATIVE_MIN
    ][:MAX_ALTERNATIVES]
    reason = _reason(
        best_label=best_label,
        best_index=best_index,
        ranked=ranked,
        used=used,
        fit_preference=fit_preference,
        neutrals=neutrals,
    )
    return Recommendation(
        size=best_label,
        confidence=confidence(best_score),
        alternatives=alternatives,
        reason=reason,
    )


def _scored(
    body: Mapping[str, Decimal | None],
    sizes: Sequence[SizeRange],
    fit_preference: str,
    fit_type: str,
    ease_cm: Decimal,
) -> tuple[list[tuple[float, int, str, list[str]]], dict[int, float]]:
    """(score, index, label, measurements used) of each size with a usable measurement,
    and each one's score before any preference."""
    shift = PREFERENCE_SHIFT_CM[fit_preference] + CUT_SHIFT_CM[fit_type]
    known = {name: float(v) for name, v in body.items() if v is not None}
    scored: list[tuple[float, int, str, list[str]]] = []
    chart_names: set[str] = set()
    # Scores before any preference: "between sizes" is about the body, not the taste.
    neutrals: dict[int, float] = {}
    for index, size in enumerate(sizes):
        chart_names.update(size.ranges)
        used = sorted(set(known) & set(size.ranges))
        if not used:
            continue
        total = neutral = 0.0
        for name in used:
            low, high = (float(x) for x in size.ranges[name])
            girth = name in EASED
            low, high = (low - float(ease_cm), high - float(ease_cm)) if girth else (low, high)
            moved = known[name] + (shift if girth else 0.0)
            total += _measure_score(moved, low, high)
            neutral += _measure_score(known[name], low, high)
        scored.append((total / len(used), index, size.label, used))
        neutrals[index] = neutral / len(used)
    if not scored:
        raise NoUsableMeasurements(
            details={"measurements": [f"This chart uses: {', '.join(sorted(chart_names))}."]}
        )
    return scored, neutrals


def size_scores(
    *,
    body: Mapping[str, Decimal | None],
    sizes: Sequence[SizeRange],
    fit_preference: str = "regular",
    fit_type: str = "regular",
    ease_cm: Decimal = Decimal(0),
) -> dict[str, float]:
    """Each size's chart score (0..1) for `body`, as `chart_score` ranks them."""
    scored, _ = _scored(body, sizes, fit_preference, fit_type, ease_cm)
    return {label: score for score, _, label, _ in scored}


def _reason(
    *,
    best_label: str,
    best_index: int,
    ranked: list[tuple[float, int, str, list[str]]],
    used: list[str],
    fit_preference: str,
    neutrals: Mapping[int, float],
) -> str:
    basis = f"Based on your {', '.join(used)} measurement{'s' if len(used) > 1 else ''}"
    if len(ranked) > 1:
        _, runner_index, runner_label, _ = ranked[1]
        gap = abs(neutrals[best_index] - neutrals[runner_index])
        if abs(runner_index - best_index) == 1 and gap < BETWEEN_MARGIN:
            smaller, larger = sorted([(best_index, best_label), (runner_index, runner_label)])
            way = "closer" if fit_preference == "slim" else "roomier"
            return (
                f"{basis}, you are between {smaller[1]} and {larger[1]}; {best_label} gives "
                f"the {way} fit{' you prefer' if fit_preference != 'regular' else ''}."
            )
    return f"{basis}, {best_label} fits you best on this chart ({fit_preference} fit)."
