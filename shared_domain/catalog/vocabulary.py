"""Controlled vocabularies of the catalog: size systems and colour families.

Sizes are validated against the product's size system, so facets and filters see one
spelling per size ("M", not "m" or "Medium"). Free-form colour names ("wine",
"navy blue") map to a family used for facets and filters ("red", "blue").
"""

from __future__ import annotations

import re

SIZE_SYSTEMS: dict[str, tuple[str, ...]] = {
    "letter": ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"),
    "eu": tuple(str(n) for n in range(30, 62, 2)),
    "uk": tuple(str(n) for n in range(4, 32, 2)),
    "us": tuple(str(n) for n in range(0, 26, 2)),
    "shoe_eu": tuple(str(n) for n in range(35, 49)),
    "one_size": ("ONE SIZE",),
}
SIZE_ALIASES = {
    "SMALL": "S",
    "MEDIUM": "M",
    "LARGE": "L",
    "2XL": "XXL",
    "3XL": "XXXL",
    "OS": "ONE SIZE",
}

COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "red": ("red", "wine", "maroon", "burgundy", "crimson", "scarlet", "cherry", "ruby"),
    "pink": ("pink", "rose", "blush", "fuchsia", "magenta", "salmon"),
    "orange": ("orange", "coral", "peach", "rust", "tangerine", "amber"),
    "yellow": ("yellow", "mustard", "lemon", "gold", "golden"),
    "green": ("green", "olive", "emerald", "mint", "lime", "sage", "khaki", "teal"),
    "blue": ("blue", "navy", "royal", "sky", "cobalt", "denim", "turquoise", "indigo", "aqua"),
    "purple": ("purple", "violet", "lilac", "lavender", "plum", "mauve"),
    "brown": ("brown", "tan", "camel", "chocolate", "coffee", "beige", "nude", "mocha"),
    "black": ("black", "jet", "onyx", "charcoal"),
    "white": ("white", "ivory", "cream", "off-white", "offwhite", "pearl"),
    "grey": ("grey", "gray", "silver", "ash", "slate"),
    "multi": ("multi", "multicolour", "multicolor", "print", "printed", "pattern", "ankara"),
}
_FAMILY_BY_WORD = {word: family for family, words in COLOUR_FAMILIES.items() for word in words}


def normalize_size(size: str) -> str:
    cleaned = " ".join(size.strip().upper().split())
    return SIZE_ALIASES.get(cleaned, cleaned)


def size_is_valid(system: str, size: str) -> bool:
    return normalize_size(size) in SIZE_SYSTEMS.get(system, ())


def colour_family(name: str) -> str:
    """'Navy Blue' -> 'blue'; unknown colours are their own family ('other')."""
    words = re.findall(r"[a-z]+(?:-[a-z]+)?", name.lower())
    for word in reversed(words):  # the last word is usually the base colour
        if word in _FAMILY_BY_WORD:
            return _FAMILY_BY_WORD[word]
    for word in words:
        if word in _FAMILY_BY_WORD:
            return _FAMILY_BY_WORD[word]
    return "other"


def size_sort_key(size: str) -> tuple[int, str]:
    """Sizes in their natural order (XS < S < M; 8 < 10) across systems."""
    for values in SIZE_SYSTEMS.values():
        if size in values:
            return values.index(size), size
    return 999, size
