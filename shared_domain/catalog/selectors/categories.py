"""The category tree, cached: what filters and facets look categories up in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared_domain.catalog.models import Category
from shared_domain.catalog.params import parse_id
from shared_domain.common.cache import cached, forget
from shared_domain.common.errors import ValidationFailed

CATEGORY_CACHE_KEY = "catalog:category-rows:v1"


def _category_rows() -> list[tuple[int, str, str, int | None, int, str]]:
    return [
        (c.pk, c.name, c.slug, c.parent_id, c.position, c.path)
        for c in Category.objects.order_by("path", "position")
    ]


def category_rows() -> list[tuple[int, str, str, int | None, int, str]]:
    rows: list[tuple[int, str, str, int | None, int, str]] = cached(
        CATEGORY_CACHE_KEY, _category_rows, timeout=3600
    )
    return rows


def category_tree_invalidate() -> None:
    forget(CATEGORY_CACHE_KEY)


def category_tree() -> list[dict[str, Any]]:
    """The whole tree: [{id, name, slug, children: [...]}, ...], siblings by position."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    rows = sorted(category_rows(), key=lambda row: (row[5].count("/"), row[4], row[1]))
    for pk, name, slug, parent_id, _position, _path in rows:
        node = {"id": pk, "name": name, "slug": slug, "children": []}
        nodes[pk] = node
        (nodes[parent_id]["children"] if parent_id in nodes else roots).append(node)
    return roots


def category_descendant_ids(category: str) -> list[int]:
    """Ids of a category (by id or slug) and everything under it. Unknown: 400."""
    rows = category_rows()
    pk = parse_id(category)
    match = next((row for row in rows if row[0] == pk or row[2] == category), None)
    if match is None:
        raise ValidationFailed(details={"category": ["Unknown category."]})
    return [row[0] for row in rows if row[5].startswith(match[5])]


def category_subtrees(ids: Iterable[int]) -> dict[int, tuple[int, tuple[int, ...]]]:
    """For each category id known: its depth (1 at the top) and the ids of it and
    everything under it (from the cached tree; no query on a cache hit)."""
    rows = category_rows()
    found = {}
    for pk in set(ids):
        path = next((row[5] for row in rows if row[0] == pk), None)
        if path is not None:
            depth = len([part for part in path.strip("/").split("/") if part])
            found[pk] = (depth, tuple(row[0] for row in rows if row[5].startswith(path)))
    return found


def category_labels() -> dict[int, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in category_rows()}
