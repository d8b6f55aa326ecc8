"""Offline evaluation of fit: chart-only versus blended size recommendations on a
synthetic population whose true fit is known.

    python benchmarks/eval_fit.py [--seed N] [--customers N] [--out PATH]

The population: adult bodies (half women, half men) drawn from multivariate normal
distributions whose means and standard deviations are rounded from the summary
statistics of the 2012 US Army Anthropometric Survey (ANSUR II; Gordon C. C. et al.,
"2012 Anthropometric Survey of U.S. Army Personnel: Methods and Summary Statistics",
NATICK/TR-15/007, 2014): stature, chest, waist and buttock (hip) circumference,
crotch height (inseam) and biacromial breadth (shoulder), with correlations of the
order the survey reports (girths strongly together, stature with inseam).

The catalog: products of several vendors, each with a true chart (the ranges its
garments really fit: a base chart moved by a few cm per product) and a published
chart, which for a known share of products is the true chart moved by one size (the
product runs small or large). A body's true size is the best size of the true chart
for its true measurements; a unit in the true size (or a neighbour scoring within
0.05 of it: between sizes) is kept, a smaller one comes back too small, a larger one
too large, and a few units come back for other reasons whatever their size.

History: customers buy products in the size the published chart recommends (most)
or in a size they pick themselves (their true size, sometimes one off); each purchase
becomes a fit outcome with the buyer's measurements as self-measured (1.5 cm noise).
Held out: customers not in the history. For each held-out purchase the chart-only
recommendation (`scoring.chart_score` on the published chart) and the blended one
(`blending.blend` with the K nearest outcomes of the product, exact L2 over
`vectors.body_vector`, which the HNSW index approximates in production, each
neighbour's chart size read back with `vectors.vector_body` as the service does) are scored
against the true size: top-1 and within-one accuracy, and the return rate if the
customer bought the recommended size — separately for products whose published chart
is wrong and right. The code under test is the production sizing code; only the
nearest-neighbour search is done here in memory instead of by PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared_domain.sizing.blending import (
    NEIGHBOURS,
    Neighbour,
    blend,
    blended_recommendation,
)
from shared_domain.sizing.scoring import SizeRange, chart_score, size_scores
from shared_domain.sizing.vectors import body_vector, vector_body

MEASURES = ("height", "chest", "waist", "hips", "inseam", "shoulder")
# ANSUR II (rounded, cm): mean and SD per sex, in MEASURES order.
MEANS = {
    "women": np.array([162.9, 94.8, 85.9, 102.4, 75.8, 36.5]),
    "men": np.array([175.6, 105.9, 94.1, 102.6, 83.6, 41.6]),
}
SDS = {
    "women": np.array([6.4, 7.9, 10.4, 8.1, 4.3, 1.8]),
    "men": np.array([6.9, 8.6, 11.1, 7.4, 4.6, 1.9]),
}
# Correlations between MEASURES (same order), of the order ANSUR II reports.
CORRELATION = np.array(
    [
        [1.00, 0.25, 0.20, 0.30, 0.88, 0.50],
        [0.25, 1.00, 0.85, 0.75, 0.10, 0.45],
        [0.20, 0.85, 1.00, 0.80, 0.05, 0.35],
        [0.30, 0.75, 0.80, 1.00, 0.15, 0.30],
        [0.88, 0.10, 0.05, 0.15, 1.00, 0.40],
        [0.50, 0.45, 0.35, 0.30, 0.40, 1.00],
    ]
)
LABELS = ("XS", "S", "M", "L", "XL", "XXL")
# A base tops chart: chest and waist ranges per size (cm, body measurements).
CHEST_START, WAIST_START, STEP = 80.0, 66.0, 8.0
SELF_MEASURE_SD = 1.5
OTHER_RETURNS = 0.04
BETWEEN = 0.05


@dataclass(frozen=True)
class Product:
    id: int
    vendor: int
    true_offset: float  # cm the product's true ranges sit from the base chart
    published_shift: int  # sizes the published chart is off by (0: right)

    def chart(self, *, published: bool) -> list[SizeRange]:
        offset = self.true_offset + (self.published_shift * STEP if published else 0.0)
        return [
            SizeRange(
                label=label,
                ranges={
                    "chest": _range(CHEST_START + offset + i * STEP),
                    "waist": _range(WAIST_START + offset + i * STEP),
                },
            )
            for i, label in enumerate(LABELS)
        ]


def _range(low: float) -> tuple[Decimal, Decimal]:
    return Decimal(str(round(low, 1))), Decimal(str(round(low + STEP, 1)))


def population(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` bodies (rows of MEASURES, cm), half women, half men."""
    chol = np.linalg.cholesky(CORRELATION)
    rows = []
    for index in range(count):
        sex = "women" if index % 2 == 0 else "men"
        z = chol @ rng.standard_normal(len(MEASURES))
        rows.append(MEANS[sex] + SDS[sex] * z)
    return np.array(rows)


def as_body(row: np.ndarray) -> dict[str, Decimal]:
    return {name: Decimal(str(round(float(v), 1))) for name, v in zip(MEASURES, row, strict=True)}


def true_size(product: Product, body: dict[str, Decimal]) -> tuple[int, dict[str, float]]:
    scores = size_scores(body=_girths(body), sizes=product.chart(published=False))
    best = max(range(len(LABELS)), key=lambda i: (scores.get(LABELS[i], 0.0), i))
    return best, scores


def _girths(body: dict[str, Decimal]) -> dict[str, Decimal | None]:
    return {"chest": body["chest"], "waist": body["waist"]}


def kept(size: int, truth: int, scores: dict[str, float], rng: np.random.Generator) -> str:
    """The outcome of buying `size`: kept, too_small, too_large or other."""
    if rng.random() < OTHER_RETURNS:
        return "other"
    fits = size == truth or (
        abs(size - truth) == 1 and scores.get(LABELS[size], 0.0) >= scores[LABELS[truth]] - BETWEEN
    )
    if fits:
        return "kept"
    return "too_small" if size < truth else "too_large"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--customers", type=int, default=2400)
    parser.add_argument("--products", type=int, default=40)
    parser.add_argument("--wrong-share", type=float, default=0.3)
    parser.add_argument("--purchases", type=int, default=6, help="per customer")
    parser.add_argument("--held-out", type=float, default=0.2)
    parser.add_argument("--out", default="benchmarks/results/eval.md")
    args = parser.parse_args()
    started = time.monotonic()
    rng = np.random.default_rng(args.seed)

    wrong = set(rng.choice(args.products, round(args.products * args.wrong_share), False))
    products = [
        Product(
            id=p,
            vendor=p % 5,
            true_offset=float(rng.uniform(-3, 3)),
            published_shift=int(rng.choice([-1, 1])) if p in wrong else 0,
        )
        for p in range(args.products)
    ]
    bodies = population(rng, args.customers)
    held = set(rng.choice(args.customers, int(args.customers * args.held_out), False))

    # History: outcomes per product as (vector, size index, outcome).
    history: dict[int, list[tuple[np.ndarray, int, str]]] = {p.id: [] for p in products}
    for customer in range(args.customers):
        if customer in held:
            continue
        body = as_body(bodies[customer])
        measured = as_body(bodies[customer] + rng.normal(0, SELF_MEASURE_SD, len(MEASURES)))
        for index in rng.choice(len(products), args.purchases, replace=False):
            product = products[int(index)]
            truth, scores = true_size(product, body)
            if rng.random() < 0.7:
                rec = chart_score(body=_girths(measured), sizes=product.chart(published=True))
                size = LABELS.index(rec.size)
            else:
                size = int(np.clip(truth + rng.choice([0, 0, 0, -1, 1]), 0, len(LABELS) - 1))
            outcome = kept(size, truth, scores, rng)
            vector = np.array(body_vector(measured) or [0.0] * 6)
            history[product.id].append((vector, size, outcome))

    stats = {kind: {m: [0, 0, 0] for m in ("chart", "blended")} for kind in ("wrong", "right")}
    counts = {"wrong": 0, "right": 0}
    for customer in sorted(held):
        body = as_body(bodies[customer])
        measured = as_body(bodies[customer] + rng.normal(0, SELF_MEASURE_SD, len(MEASURES)))
        vector = np.array(body_vector(measured) or [0.0] * 6)
        for index in rng.choice(len(products), args.purchases, replace=False):
            product = products[int(index)]
            kind = "wrong" if product.published_shift else "right"
            counts[kind] += 1
            truth, scores = true_size(product, body)
            published = product.chart(published=True)
            chart_rec = chart_score(body=_girths(measured), sizes=published)
            outcomes = history[product.id]
            distances = np.linalg.norm(np.array([o[0] for o in outcomes]) - vector, axis=1)
            nearest = np.argsort(distances)[:NEIGHBOURS]
            neighbours = []
            for i in nearest:
                their_vector, size, outcome = outcomes[i]
                theirs = vector_body(list(their_vector))
                neighbours.append(Neighbour(
                    distance=float(distances[i]), size=LABELS[size],
                    kept=int(outcome == "kept"), too_small=int(outcome == "too_small"),
                    too_large=int(outcome == "too_large"),
                    chart_size=chart_score(body=_girths(theirs), sizes=published).size,
                ))  # fmt: skip
            chart_scores = size_scores(body=_girths(measured), sizes=published)
            mixed = blend(labels=list(LABELS), chart=chart_scores, neighbours=neighbours,
                          anchor=chart_rec.size)  # fmt: skip
            blended = blended_recommendation(
                chart_rec, labels=list(LABELS), chart_scores=chart_scores, mixed=mixed,
                count=len(neighbours), size_up=True,
            )  # fmt: skip
            purchase_seed = args.seed + customer * 1000 + int(product.id)
            for method, rec in (("chart", chart_rec), ("blended", blended)):
                size = LABELS.index(rec.size)
                row = stats[kind][method]
                row[0] += size == truth
                row[1] += abs(size - truth) <= 1
                # The same draw for both recommenders: only the size bought differs.
                outcome = kept(size, truth, scores, np.random.default_rng(purchase_seed))
                row[2] += outcome != "kept"

    elapsed = time.monotonic() - started
    report = _report(args, stats, counts, sum(len(h) for h in history.values()), elapsed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    sys.stdout.write(report)
    return 0


def _report(
    args: argparse.Namespace,
    stats: dict[str, dict[str, list[int]]],
    counts: dict[str, int],
    outcomes: int,
    elapsed: float,
) -> str:
    lines = [
        "# Fit evaluation: chart-only vs blended",
        "",
        f"Generated by `benchmarks/eval_fit.py --seed {args.seed} --customers "
        f"{args.customers} --products {args.products} --wrong-share {args.wrong_share}` "
        f"({outcomes} history outcomes; held-out purchases: {counts['wrong']} of products "
        f"whose published chart is one size off, {counts['right']} of products whose "
        f"chart is right; {elapsed:.0f} s).",
        "",
        "| products | recommender | top-1 accuracy | within one size | return rate |",
        "|---|---|---|---|---|",
    ]
    for kind, title in (("wrong", "chart off by one size"), ("right", "chart right")):
        n = max(1, counts[kind])
        for method, name in (("chart", "chart only"), ("blended", "blended")):
            top1, within, returned = stats[kind][method]
            lines.append(
                f"| {title} | {name} | {top1 / n:.1%} | {within / n:.1%} | {returned / n:.1%} |"
            )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
