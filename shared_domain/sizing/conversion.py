"""Size systems and how a size in one maps to another, per kind of garment.

| garment        | letter | UK = NG  | US   | EU    | basis                              |
|----------------|--------|----------|------|-------|------------------------------------|
| women_tops     | XS     | 4, 6     | 0, 2 | 32,34 | dress sizes (UK = US + 4 = EU - 28) |
|                | S      | 8, 10    | 4, 6 | 36,38 |                                    |
|                | M      | 12, 14   | 8,10 | 40,42 |                                    |
|                | L      | 16, 18   | 12,14| 44,46 |                                    |
|                | XL     | 20, 22   | 16,18| 48,50 |                                    |
|                | XXL    | 24, 26   | 20,22| 52,54 |                                    |
| women_bottoms  | as women_tops (the same dress numbering)                          |
| men_tops       | XS 34, S 36, M 38-40, L 42-44, XL 46, XXL 48-50                   |
|                | (chest inches, UK = US; EU = inches + 10)                         |
| men_bottoms    | XS 28, S 30, M 32-34, L 36, XL 38-40, XXL 42                      |
|                | (waist inches, UK = US; EU = inches + 16)                         |

Nigerian (NG) sizes follow the UK numbering. A letter covers a range of numbers, so a
conversion from a letter gives every number of its range (smallest first); from a
number it gives the one equivalent of each other system.
"""

from __future__ import annotations

from shared_domain.common.errors import ValidationFailed

SYSTEMS = ("letter", "uk", "us", "eu", "ng")
LETTERS = ("XS", "S", "M", "L", "XL", "XXL")

# (letter, UK, US, EU) rows, smallest first.
_WOMEN = (
    ("XS", "4", "0", "32"), ("XS", "6", "2", "34"),
    ("S", "8", "4", "36"), ("S", "10", "6", "38"),
    ("M", "12", "8", "40"), ("M", "14", "10", "42"),
    ("L", "16", "12", "44"), ("L", "18", "14", "46"),
    ("XL", "20", "16", "48"), ("XL", "22", "18", "50"),
    ("XXL", "24", "20", "52"), ("XXL", "26", "22", "54"),
)  # fmt: skip
_MEN_TOPS = (
    ("XS", "34", "34", "44"), ("S", "36", "36", "46"),
    ("M", "38", "38", "48"), ("M", "40", "40", "50"),
    ("L", "42", "42", "52"), ("L", "44", "44", "54"),
    ("XL", "46", "46", "56"), ("XXL", "48", "48", "58"), ("XXL", "50", "50", "60"),
)  # fmt: skip
_MEN_BOTTOMS = (
    ("XS", "28", "28", "44"), ("S", "30", "30", "46"),
    ("M", "32", "32", "48"), ("M", "34", "34", "50"),
    ("L", "36", "36", "52"), ("XL", "38", "38", "54"), ("XL", "40", "40", "56"),
    ("XXL", "42", "42", "58"),
)  # fmt: skip
TABLES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "women_tops": _WOMEN,
    "women_bottoms": _WOMEN,
    "men_tops": _MEN_TOPS,
    "men_bottoms": _MEN_BOTTOMS,
}
GARMENTS = tuple(TABLES)
_COLUMN = {"letter": 0, "uk": 1, "ng": 1, "us": 2, "eu": 3}


def normalise(size: str) -> str:
    cleaned = "".join(str(size).split()).upper()
    return {"2XL": "XXL", "SMALL": "S", "MEDIUM": "M", "LARGE": "L"}.get(cleaned, cleaned)


def size_convert(*, garment: str, system: str, size: str, to: str) -> list[str]:
    """The sizes of system `to` equivalent to `size` of `system` for this garment,
    smallest first; anything unknown is a ValidationFailed naming the parameter."""
    errors: dict[str, list[str]] = {}
    if garment not in TABLES:
        errors["garment"] = [f"One of: {', '.join(GARMENTS)}."]
    for name, value in (("system", system), ("to", to)):
        if value not in SYSTEMS:
            errors[name] = [f"One of: {', '.join(SYSTEMS)}."]
    if errors:
        raise ValidationFailed("Unknown size system or garment.", details=errors)
    wanted = normalise(size)
    rows = [row for row in TABLES[garment] if row[_COLUMN[system]] == wanted]
    if not rows:
        known = list(dict.fromkeys(row[_COLUMN[system]] for row in TABLES[garment]))
        raise ValidationFailed(
            f"{size!r} is not a {system} size of {garment}.",
            details={"size": [f"One of: {', '.join(known)}."]},
        )
    return list(dict.fromkeys(row[_COLUMN[to]] for row in rows))


def garments_of(*, department: str, bottoms: bool) -> list[str]:
    """The conversion tables to try for a product, in order: its department's (women's
    for women's and kids', men's for men's; unisex tries women's then men's), tops or
    bottoms by its chart (bottoms when it sizes by waist/hips/inseam, not the chest)."""
    kind = "bottoms" if bottoms else "tops"
    order = {"men": ["men"], "women": ["women"], "kids": ["women"]}.get(
        department, ["women", "men"]
    )
    return [f"{who}_{kind}" for who in order]


def size_convert_first(*, garments: list[str], system: str, size: str, to: str) -> list[str]:
    """`size_convert` with the first of `garments` that knows the size; [] if none."""
    for garment in garments:
        try:
            return size_convert(garment=garment, system=system, size=size, to=to)
        except ValidationFailed:
            continue
    return []


def system_of_labels(labels: list[str]) -> str | None:
    """The system a chart's labels are written in: letters, or numbers (None: the
    product's own numeric system decides)."""
    if labels and all(normalise(label) in LETTERS for label in labels):
        return "letter"
    return None


def size_known(*, system: str, size: str) -> bool:
    """Whether `size` is a size of `system` for some garment."""
    wanted = normalise(size)
    return any(row[_COLUMN[system]] == wanted for rows in TABLES.values() for row in rows)
