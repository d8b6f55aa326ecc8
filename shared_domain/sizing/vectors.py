"""Body vectors: the measurements sizing compares bodies on, as z-scores against a
reference adult population, in a fixed order. A measurement not known is 0 (the
population mean), so bodies with gaps still have a place (further from nobody).

Reference means and standard deviations (cm) are rounded from the 2012 US Army
Anthropometric Survey (ANSUR II, Gordon et al. 2014), both sexes pooled: chest
circumference, waist circumference (omphalion), buttock (hip) circumference, crotch
height as the inseam, biacromial breadth as the shoulder, stature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

# name -> (mean, sd), in the vector's order.
REFERENCE: dict[str, tuple[float, float]] = {
    "chest": (101.0, 9.5),
    "waist": (91.0, 12.0),
    "hips": (102.0, 8.0),
    "inseam": (80.0, 5.0),
    "shoulder": (40.0, 3.0),
    "height": (171.0, 9.0),
}
DIMENSIONS = tuple(REFERENCE)


def body_vector(body: Mapping[str, Decimal | float | None]) -> list[float] | None:
    """`body`: measurement -> cm (`chest`..`height`, or the profile's `*_cm` names).
    None when nothing is known."""
    values: list[float] = []
    known = 0
    for name, (mean, sd) in REFERENCE.items():
        raw = body.get(name, body.get(f"{name}_cm"))
        if raw is None:
            values.append(0.0)
            continue
        known += 1
        values.append(round((float(raw) - mean) / sd, 4))
    return values if known else None


def vector_body(vector: Sequence[float]) -> dict[str, Decimal]:
    """The measurements (cm) a body vector stands for (gaps come back as the mean)."""
    return {
        name: Decimal(str(round(mean + sd * float(z), 1)))
        for (name, (mean, sd)), z in zip(REFERENCE.items(), vector, strict=True)
    }
