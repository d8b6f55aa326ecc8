"""Blending the chart with what similar bodies did (no database here).

The neighbours are the K buyers nearest to the customer's body vector (L2 distance on
z-scored measurements, see sizing.vectors) who bought this product, or else the same
vendor's products of the same brand. Each neighbour votes with weight
`1 / (1 + distance)` per unit:

* a unit kept in size X votes for X;
* a unit returned as too small in X votes for the next size up (X+1);
* a unit returned as too large in X votes for the next size down (X-1);
* labels the chart does not have, and returns for other reasons, do not vote.

The votes are normalised into a share per size (summing to 1). The blended score of a
size is `(1 - a) * chart + a * share`, where the weight of the neighbours grows with
their total vote `w`: `a = BLEND_MAX * w / (w + BLEND_PRIOR)` (no neighbours: the chart
alone; a few far ones: a nudge; many near ones: up to BLEND_MAX). A chart that is
right agrees with what its buyers keep, so blending only sharpens it; a chart that
is one size off loses to the size its buyers kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Blend:
    scores: dict[str, float]
    weight: float  # a: the neighbours' share of the blended score
    votes: dict[str, float]  # the neighbours' share per size


def neighbour_votes(
    *, labels: Sequence[str], neighbours: Sequence[Neighbour]
) -> tuple[dict[str, float], float]:
    """Each size's share of the votes and the total vote."""
    index = {label.casefold(): i for i, label in enumerate(labels)}
    raw = [0.0] * len(labels)
    for n in neighbours:
        at = index.get(n.size.casefold())
        if at is None:
            continue
        weight = 1.0 / (1.0 + n.distance)
        raw[at] += weight * n.kept
        if n.too_small and at + 1 < len(labels):
            raw[at + 1] += weight * n.too_small
        if n.too_large and at > 0:
            raw[at - 1] += weight * n.too_large
    total = sum(raw)
    if total <= 0:
        return {}, 0.0
    return {label: raw[i] / total for i, label in enumerate(labels) if raw[i]}, total


def blend(
    *, labels: Sequence[str], chart: Mapping[str, float], neighbours: Sequence[Neighbour]
) -> Blend:
    """Blended scores of the chart's sizes (`labels`, smallest first; `chart`: the
    chart score of each size it could score)."""
    votes, total = neighbour_votes(labels=labels, neighbours=neighbours)
    a = BLEND_MAX * total / (total + BLEND_PRIOR) if total else 0.0
    scores = {
        label: (1 - a) * chart.get(label, 0.0) + a * votes.get(label, 0.0)
        for label in labels
        if label in chart or label in votes
    }
    return Blend(scores=scores, weight=a, votes=votes)
