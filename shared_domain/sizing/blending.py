"""Blending the chart with what similar bodies did (no database here).

The neighbours are the K buyers nearest to the customer's body vector (L2 distance on
z-scored measurements, see sizing.vectors) who bought this product, or else the same
vendor's products of the same brand. Each neighbour's outcome says which size fitted
that neighbour:

* a unit kept in size X: X;
* a unit returned as too small in X: the next size up (X+1);
* a unit returned as too large in X: the next size down (X-1);
* returns for other reasons say nothing.

A neighbour is similar, not identical: one a little bigger than the customer who kept
L does not mean L fits the customer. So each neighbour votes for a *correction of the
chart*: the size that fitted it minus the size the chart gives its own body (read
back from its vector), added to the size the chart gives the customer ("the chart
was right for me", "the chart was one size small for me"). A neighbour whose body
cannot be read back votes for the size that fitted it as such. Votes are weighted
`1 / (1 + distance)` per unit and normalised into a share per size (summing to 1);
sizes the chart lacks get none.

The blended score of a size is `(1 - a) * chart + a * share`, where the weight of the
neighbours grows with their total vote `w`: `a = BLEND_MAX * w / (w + BLEND_PRIOR)` (no
neighbours: the chart alone; a few far ones: a nudge; many near ones: up to
BLEND_MAX). A right chart gets votes for its own answer and is only sharpened; a
chart one size off is corrected by the size its buyers kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared_domain.sizing.scoring import (
    ALTERNATIVE_MIN,
    MAX_ALTERNATIVES,
    Alternative,
    Recommendation,
)

NEIGHBOURS = 25
BLEND_MAX = 0.75
BLEND_PRIOR = 3.0


@dataclass(frozen=True)
class Neighbour:
    distance: float
    size: str
    kept: int
    too_small: int
    too_large: int
    # The size the chart gives this neighbour's own body (None: not known).
    chart_size: str | None = None


@dataclass(frozen=True)
class Blend:
    scores: dict[str, float]
    weight: float  # a: the neighbours' share of the blended score
    votes: dict[str, float]  # the neighbours' share per size


def neighbour_votes(
    *, labels: Sequence[str], neighbours: Sequence[Neighbour], anchor: str | None = None
) -> tuple[dict[str, float], float]:
    """Each size's share of the votes and the total vote; `anchor` is the size the
    chart gives the customer (the corrections are applied to it)."""
    index = {label.casefold(): i for i, label in enumerate(labels)}
    start = index.get(anchor.casefold()) if anchor else None
    raw = [0.0] * len(labels)
    for n in neighbours:
        at = index.get(n.size.casefold())
        if at is None:
            continue
        base = index.get(n.chart_size.casefold()) if n.chart_size else None
        weight = 1.0 / (1.0 + n.distance)
        for fitted, units in ((at, n.kept), (at + 1, n.too_small), (at - 1, n.too_large)):
            if not units or not 0 <= fitted < len(labels):
                continue
            target = fitted if start is None or base is None else start + fitted - base
            if 0 <= target < len(labels):
                raw[target] += weight * units
    total = sum(raw)
    if total <= 0:
        return {}, 0.0
    return {label: raw[i] / total for i, label in enumerate(labels) if raw[i]}, total


def blend(
    *,
    labels: Sequence[str],
    chart: Mapping[str, float],
    neighbours: Sequence[Neighbour],
    anchor: str | None = None,
) -> Blend:
    """Blended scores of the chart's sizes (`labels`, smallest first; `chart`: the
    chart score of each size it could score; `anchor`: the chart's size for the
    customer)."""
    votes, total = neighbour_votes(labels=labels, neighbours=neighbours, anchor=anchor)
    a = BLEND_MAX * total / (total + BLEND_PRIOR) if total else 0.0
    scores = {
        label: (1 - a) * chart.get(label, 0.0) + a * votes.get(label, 0.0)
        for label in labels
        if label in chart or label in votes
    }
    return Blend(scores=scores, weight=a, votes=votes)


def blended_recommendation(
    chart_rec: Recommendation,
    *,
    labels: list[str],
    chart_scores: Mapping[str, float],
    mixed: Blend,
    count: int,
    size_up: bool,
) -> Recommendation:
    """The chart's recommendation, re-ranked by the blended scores; the reason says
    when similar bodies changed the answer."""
    if mixed.weight == 0:
        return chart_rec
    order = {label: i for i, label in enumerate(labels)}
    ranked = sorted(
        mixed.scores, key=lambda lb: (mixed.scores[lb], order[lb] if size_up else -order[lb]),
        reverse=True,
    )  # fmt: skip
    # The chart's confidence is its score less for the measurements it lacked; the
    # blended score is discounted the same way.
    base = chart_scores.get(chart_rec.size) or 1.0
    factor = min(1.0, chart_rec.confidence / base) if base else 1.0

    def confidence(label: str) -> float:
        return round(min(1.0, mixed.scores[label] * factor), 2)

    best = ranked[0]
    alternatives = [
        Alternative(size=label, confidence=confidence(label))
        for label in ranked[1:]
        if mixed.scores[label] >= ALTERNATIVE_MIN
    ][:MAX_ALTERNATIVES]
    favourite = max(mixed.votes, key=lambda lb: mixed.votes[lb])
    others = f"{count} shopper{'s' if count > 1 else ''} with measurements like yours"
    if best == chart_rec.size:
        reason = f"{chart_rec.reason} {others} mostly kept {favourite}."
    else:
        reason = (
            f"The size chart points to {chart_rec.size}, but {others} mostly kept "
            f"{favourite} (or returned the sizes either side): {best} is the safer choice."
        )
    return Recommendation(
        size=best, confidence=confidence(best), alternatives=alternatives, reason=reason
    )
