"""v2 similar products and hybrid search: ordering, in-stock first, scope, 404s, query
budget; paraphrases hybrid finds and full text misses; the fallback to text."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from shared_domain.discovery import embedding
from shared_domain.discovery.services import product_embeddings_refresh
from tests.factories import VendorFactory, category_tree_fixture, make_product

pytestmark = pytest.mark.django_db(transaction=True)


def _shop():
    tree = category_tree_fixture()
    vendor = VendorFactory.create()
    p = {
        "red": make_product(vendor, title="Red Summer Dress", category=tree["Maxi"],
                            description="A light floaty dress for hot days.",
                            variants=[("RSD-M", "M", "red", 4)]),
        "sun": make_product(vendor, title="Yellow Sundress", category=tree["Dresses"],
                            description="Sleeveless summer dress.",
                            variants=[("YSD-M", "M", "yellow", 0)]),
        "gown": make_product(vendor, title="Evening Gown", category=tree["Dresses"],
                             description="A long formal dress.",
                             variants=[("EG-M", "M", "black", 2)]),
        "tee": make_product(vendor, title="Plain White T-Shirt", category=tree["Tops"],
                            description="Cotton crew neck tee.",
                            variants=[("PWT-M", "M", "white", 9)]),
        "shirt": make_product(vendor, title="Summer Linen Shirt", category=tree["Shirts"],
                              department="men", description="Breathable linen shirt.",
                              variants=[("SLS-M", "M", "blue", 3)]),
        "draft": make_product(vendor, title="Draft Summer Dress", category=tree["Maxi"],
                              publish=False, variants=[("DSD-M", "M", "red", 1)]),
    }  # fmt: skip
    product_embeddings_refresh(product_ids=[x.pk for x in p.values()])
    return tree, vendor, p


@pytest.fixture
async def shop():
    embedding.query_cache.clear()
    return await sync_to_async(_shop)()


async def test_similar_are_of_the_scope_in_stock_first_then_nearest(async_client, shop, queries):
    _, _, p = shop
    await async_client.get("/api/v2/products/search?category=women")  # cache the tree
    queries.clear()
    response = await async_client.get(f"/api/v2/products/{p['red'].pk}/similar")
    assert response.status_code == 200
    body = response.json()
    assert body["basis"] == "embedding"
    ids = [item["id"] for item in body["items"]]
    # Itself, the draft and the men's shirt are out; the sold-out sundress, although
    # nearest, comes after the dresses and tops in stock.
    assert p["red"].pk not in ids
    assert p["draft"].pk not in ids
    assert p["shirt"].pk not in ids
    assert ids == [p["gown"].pk, p["tee"].pk, p["sun"].pk]
    # The scope, the embedding, the scan settings, the neighbours, their cards.
    assert len(queries) == 5, "\n".join(q[:90] for q in queries)


async def test_similar_limit(async_client, shop):
    _, _, p = shop
    response = await async_client.get(f"/api/v2/products/{p['red'].pk}/similar?limit=1")
    assert [item["id"] for item in response.json()["items"]] == [p["gown"].pk]
    response = await async_client.get(f"/api/v2/products/{p['red'].pk}/similar?limit=51")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


async def test_similar_of_unknown_or_unpublished_products_is_404(async_client, shop):
    _, _, p = shop
    for pk in (p["draft"].pk, 999_999):
        response = await async_client.get(f"/api/v2/products/{pk}/similar")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_similar_without_an_embedding_falls_back_to_the_category(
    async_client, shop, queries
):
    from shared_domain.discovery.services import product_embedding_remove

    _, _, p = shop
    await sync_to_async(product_embedding_remove)(product_id=p["red"].pk)
    await async_client.get("/api/v2/products/search?category=women")  # cache the tree
    queries.clear()
    body = (await async_client.get(f"/api/v2/products/{p['red'].pk}/similar")).json()
    assert body["basis"] == "category"
    # In stock first (the gown, then the tee: newer first), then the sold-out sundress.
    assert [i["id"] for i in body["items"]] == [p["tee"].pk, p["gown"].pk, p["sun"].pk]
    # The scope, the embedding (none), the cards by category.
    assert len(queries) == 3, "\n".join(q[:90] for q in queries)


async def test_hybrid_finds_a_paraphrase_the_text_search_misses(async_client, shop, queries):
    _, _, p = shop
    text = await async_client.get("/api/v2/products/search", {"q": "crimson sundress"})
    assert text.json()["items"] == []
    assert text.json()["mode_used"] == "text"
    # Warm the model and the query's cache first: the budget is for a loaded model.
    assert await embedding.query_vector("crimson sundress", budget_ms=10_000) is not None
    await async_client.get("/api/v2/products/search?category=women")  # cache the tree
    queries.clear()
    hybrid = await async_client.get(
        "/api/v2/products/search", {"q": "crimson sundress", "mode": "hybrid"}
    )
    assert hybrid.status_code == 200
    assert hybrid["X-Search-Mode"] == "hybrid"
    body = hybrid.json()
    assert body["mode_used"] == "hybrid"
    ids = [item["id"] for item in body["items"]]
    assert p["red"].pk in ids[:2]
    assert p["sun"].pk in ids[:2]
    assert p["draft"].pk not in ids
    # Text candidates, scan settings, neighbours, cards, facets.
    assert len(queries) == 5, "\n".join(q[:90] for q in queries)


async def test_hybrid_keeps_the_filters(async_client, shop):
    _, _, p = shop
    await embedding.query_vector("summer clothes", budget_ms=10_000)
    body = (
        await async_client.get(
            "/api/v2/products/search",
            {"q": "summer clothes", "mode": "hybrid", "department": "men"},
        )
    ).json()
    assert [item["id"] for item in body["items"]] == [p["shirt"].pk]


async def test_hybrid_falls_back_to_text_when_the_embedding_is_late(async_client, shop, settings):
    settings.SEARCH_EMBEDDING_BUDGET_MS = 0.01  # no model answers in 10 microseconds
    response = await async_client.get(
        "/api/v2/products/search", {"q": "summer dress", "mode": "hybrid"}
    )
    assert response.status_code == 200
    assert response["X-Search-Mode"] == "text"
    body = response.json()
    assert body["mode_used"] == "text"
    text = (await async_client.get("/api/v2/products/search", {"q": "summer dress"})).json()
    assert body["items"]
    assert body["items"] == text["items"]
    assert body["total"] == text["total"]


async def test_hybrid_ranks_by_relevance_only(async_client, shop):
    response = await async_client.get(
        "/api/v2/products/search", {"q": "dress", "mode": "hybrid", "sort": "price"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["sort"]
    response = await async_client.get("/api/v2/products/search", {"q": "dress", "mode": "fuzzy"})
    assert response.status_code == 400


async def test_hybrid_falls_back_to_text_when_the_model_cannot_load(
    async_client, shop, monkeypatch, tmp_path
):
    # A process whose model files are missing: loading fails, search still answers.
    monkeypatch.setattr(embedding, "_embedder", None)
    monkeypatch.setattr(embedding, "tokenizer_path", lambda: tmp_path / "missing.json")
    response = await async_client.get(
        "/api/v2/products/search", {"q": "summer dress", "mode": "hybrid"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["mode_used"] == "text"
    assert body["items"]


async def test_hybrid_pages_deep_into_the_results(async_client, shop):
    await embedding.query_vector("dress", budget_ms=10_000)
    first = (
        await async_client.get("/api/v2/products/search", {"q": "dress", "mode": "hybrid"})
    ).json()
    deep = await async_client.get(
        "/api/v2/products/search", {"q": "dress", "mode": "hybrid", "offset": 10_000}
    )
    assert deep.status_code == 200
    assert deep.json()["items"] == []
    assert deep.json()["total"] == first["total"] > 0


async def test_hybrid_pages_share_one_candidate_set(async_client, shop, settings):
    """Every page fuses the same capped candidates: the total does not move with the
    offset, and the pages together list each candidate once."""
    settings.SEARCH_HYBRID_CANDIDATES = 3
    await embedding.query_vector("dress", budget_ms=10_000)
    pages = [
        (
            await async_client.get(
                "/api/v2/products/search",
                {"q": "dress", "mode": "hybrid", "limit": 2, "offset": offset},
            )
        ).json()
        for offset in (0, 2, 4, 6)
    ]
    assert {page["mode_used"] for page in pages} == {"hybrid"}
    totals = {page["total"] for page in pages}
    assert len(totals) == 1
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == totals.pop()


async def test_hybrid_without_words_is_a_text_search(async_client, shop):
    response = await async_client.get("/api/v2/products/search", {"mode": "hybrid"})
    assert response.status_code == 200
    assert response.json()["mode_used"] == "text"
