"""The raw baseline of the catalog benchmark: product detail as a plain ASGI app.

    uvicorn tests.bench.raw_detail:app --workers 2   # DATABASE_URL names the database

No framework: `GET /bench/raw/products/{id}` runs the same three reads as v2 product
detail (the product with its vendor and category, its variants with available units,
its images; the SQL Django compiles for them) on a psycopg `AsyncConnectionPool`, and
answers JSON. What v2 detail costs beyond this is the framework's share.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

PREFIX = "/bench/raw/products/"
PRODUCT_SQL = """
SELECT p.id, p.vendor_id, p.title, p.slug, p.description, p.brand, p.department,
       p.category_id, p.base_price, p.currency, p.size_system, p.status, p.attributes,
       p.rating_avg, p.rating_count, p.rating_sum, p.search_vector, p.created_at,
       p.updated_at, p.published_at, v.store_name AS vendor_card_name,
       v.slug AS vendor_card_slug, v.verified AS vendor_card_verified,
       c.name AS category_name, c.slug AS category_slug
  FROM catalog_product p
  JOIN accounts_vendorprofile v ON p.vendor_id = v.id
  LEFT JOIN catalog_category c ON p.category_id = c.id
 WHERE p.status = 'active' AND p.id = %s
"""
VARIANTS_SQL = """
SELECT pv.id, pv.sku, pv.size, pv.colour, pv.colour_family, pv.price_override,
       pv.is_active, pv.position,
       COALESCE(s.quantity - s.allocated - s.reserved, 0) AS available
  FROM catalog_productvariant pv LEFT JOIN inventory_stock s ON pv.id = s.variant_id
 WHERE pv.product_id = ANY(%s) ORDER BY pv.position, pv.id
"""
IMAGES_SQL = """
SELECT id, url, alt_text, position FROM catalog_productimage
 WHERE product_id = ANY(%s) ORDER BY position, id
"""

_pool: AsyncConnectionPool | None = None


async def _get_pool() -> AsyncConnectionPool:
    global _pool  # one per worker process, opened by its first request
    if _pool is None:
        _pool = AsyncConnectionPool(os.environ["DATABASE_URL"], min_size=4, max_size=8, open=False)
        await _pool.open()
    return _pool


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value.isoformat()


async def _detail(product_id: int) -> dict[str, Any] | None:
    pool = await _get_pool()
    async with pool.connection() as conn:
        cursor = conn.cursor(row_factory=dict_row)
        product = await (await cursor.execute(PRODUCT_SQL, (product_id,))).fetchone()
        if product is None:
            return None
        variants = await (await cursor.execute(VARIANTS_SQL, ([product_id],))).fetchall()
        images = await (await cursor.execute(IMAGES_SQL, ([product_id],))).fetchall()
    del product["search_vector"]
    for variant in variants:
        variant["price"] = variant.pop("price_override") or product["base_price"]
        variant["in_stock"] = variant["available"] > 0
    product["variants"] = variants
    product["images"] = images
    return product


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path: str = scope["path"]
    body: dict[str, Any] | None = None
    if path == "/bench/raw/healthz":
        body = {"status": "ok"}
    elif path.startswith(PREFIX) and path[len(PREFIX) :].isdigit():
        body = await _detail(int(path[len(PREFIX) :]))
    status = 200 if body is not None else 404
    payload = json.dumps(body if body is not None else {"error": "not found"}, default=_json)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload.encode()})
