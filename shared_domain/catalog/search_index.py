"""The product full-text index: one weighted tsvector per product, written by the
catalog services (never by signals) and rebuilt in bulk by `rebuild_search_index`.

Weights: A = title; B = brand, category names (with its ancestors: "Women Dresses
Maxi") and the colours of active variants; C = description.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

TEXT_SEARCH_CONFIG = "english"

_REFRESH = """
UPDATE catalog_product AS p SET search_vector =
    setweight(to_tsvector(%(config)s::regconfig, coalesce(p.title, '')), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, concat_ws(' ',
        p.brand,
        (SELECT string_agg(a.name, ' ')
           FROM catalog_category c JOIN catalog_category a ON c.path LIKE a.path || '%%'
          WHERE c.id = p.category_id),
        (SELECT string_agg(DISTINCT v.colour, ' ')
           FROM catalog_productvariant v WHERE v.product_id = p.id AND v.is_active)
    )), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce(p.description, '')), 'C')
"""


def search_vectors_refresh(product_ids: Iterable[int] | None = None) -> int:
    """Recompute the vectors of these products (all products when None)."""
    with connection.cursor() as cursor:
        if product_ids is None:
            cursor.execute(_REFRESH, {"config": TEXT_SEARCH_CONFIG})
        else:
            ids = list(product_ids)
            if not ids:
                return 0
            cursor.execute(
                _REFRESH + " WHERE p.id = ANY(%(ids)s)", {"config": TEXT_SEARCH_CONFIG, "ids": ids}
            )
        return int(cursor.rowcount)
