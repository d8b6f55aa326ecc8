"""Server-side SVG charts of a time series: plain markup, no script, no external
resource, so a report file and the admin page (inline, under the strict CSP) show
them as they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 30, 40
COLOURS = ("#8a2be2", "#1f77b4", "#2ca02c", "#d62728")


def _label(value: Decimal) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{value / 1_000:.1f}k"
    return f"{value:.0f}"


def series_svg(
    *,
    title: str,
    buckets: Sequence[dt.date],
    series: Mapping[str, Sequence[Decimal]],
) -> str:
    """A line per named series (e.g. a currency's gross) over `buckets` (x axis, one
    point each; values align with them). Empty buckets are zeros."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = max((v for values in series.values() for v in values), default=Decimal(0))
    top = peak if peak > 0 else Decimal(1)
    step = plot_w / max(len(buckets) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(buckets) > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{LEFT}" y="18" font-family="sans-serif" font-size="14" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        level = top * Decimal(str(fraction))
        gy = y(level)
        parts.append(
            f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}" '
            'stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{gy + 4:.1f}" font-family="sans-serif" '
            f'font-size="11" text-anchor="end">{_label(level)}</text>'
        )
    every = max(1, len(buckets) // 8)
    for i, bucket in enumerate(buckets):
        if i % every == 0 or i == len(buckets) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" font-family="sans-serif" '
                f'font-size="11" text-anchor="middle">{bucket.isoformat()}</text>'
            )
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        for i, v in enumerate(values):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>')
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{18 + 14 * n}" font-family="sans-serif" '
            f'font-size="12" text-anchor="end" fill="{colour}">{escape(name)}</text>'
        )
    if not buckets:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" font-family="sans-serif" '
            'font-size="13" text-anchor="middle" fill="#888">No sales in this period</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def buckets_of(*, start: dt.date, end: dt.date, granularity: str) -> list[dt.date]:
    """Every bucket's first day from `start` to `end`: days, Mondays or 1sts."""
    if granularity == "week":
        first = start - dt.timedelta(days=start.weekday())
    elif granularity == "month":
        first = start.replace(day=1)
    else:
        first = start
    out = []
    current = first
    while current <= end:
        out.append(current)
        if granularity == "week":
            current += dt.timedelta(days=7)
        elif granularity == "month":
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            current += dt.timedelta(days=1)
    return out


def gross_series_svg(
    *,
    title: str,
    label: str,
    start: dt.date,
    end: dt.date,
    granularity: str,
    points: Sequence[Any],
) -> str:
    """The gross money of `points` (each with `start`, `currency`, `gross`) per bucket
    of the period, one line per currency named "`label` <currency>"."""
    buckets = buckets_of(start=start, end=end, granularity=granularity)
    index = {bucket: i for i, bucket in enumerate(buckets)}
    lines: dict[str, list[Decimal]] = {}
    for point in points:
        line = lines.setdefault(f"{label} {point.currency}", [Decimal(0)] * len(buckets))
        if point.start in index:
            line[index[point.start]] = point.gross
    return series_svg(title=title, buckets=buckets, series=lines)
