"""Writes of the discovery context: product embeddings, computed from the catalog's
text of a product on sale and stored only when that text (or the model) changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from shared_domain.catalog.selectors import EmbeddingSource, product_embedding_sources
from shared_domain.discovery.embedding import MODEL_ID, embed_texts, text_hash
from shared_domain.discovery.models import ProductEmbedding


@dataclass(frozen=True)
class RefreshResult:
    computed: int  # texts run through the model and stored
    unchanged: int  # current already: nothing computed
    removed: int  # no longer on sale: embedding dropped


def _store(sources: Sequence[EmbeddingSource]) -> tuple[int, int]:
    hashes = {s.product_id: text_hash(s.text) for s in sources}
    current = dict(
        ProductEmbedding.objects.filter(product_id__in=list(hashes)).values_list(
            "product_id", "text_hash"
        )
    )
    stale = [s for s in sources if current.get(s.product_id) != hashes[s.product_id]]
    if not stale:
        return 0, len(sources)
    vectors = embed_texts([s.text for s in stale])
    now = timezone.now()
    ProductEmbedding.objects.bulk_create(
        [
            ProductEmbedding(
                product_id=s.product_id,
                embedding=vector,
                text_hash=hashes[s.product_id],
                model=MODEL_ID,
                updated_at=now,
            )
            for s, vector in zip(stale, vectors, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["product_id"],
        update_fields=["embedding", "text_hash", "model", "updated_at"],
    )
    return len(stale), len(sources) - len(stale)


def product_embeddings_refresh(*, product_ids: Sequence[int]) -> RefreshResult:
    """Bring these products' embeddings up to date: compute those whose text changed,
    drop those of products no longer on sale. Safe to run twice or concurrently (the
    last write of the same text wins with the same vector)."""
    ids = sorted(set(product_ids))
    sources = product_embedding_sources(product_ids=ids)
    computed, unchanged = _store(sources)
    on_sale = {s.product_id for s in sources}
    gone = [pk for pk in ids if pk not in on_sale]
    removed = ProductEmbedding.objects.filter(product_id__in=gone).delete()[0] if gone else 0
    return RefreshResult(computed=computed, unchanged=unchanged, removed=removed)


def product_embedding_remove(*, product_id: int) -> int:
    return ProductEmbedding.objects.filter(product_id=product_id).delete()[0]


def product_embeddings_backfill(*, batch_size: int = 64) -> RefreshResult:
    """Every product on sale, in pages by id; drops embeddings of products no longer on
    sale. What `manage.py backfill_embeddings` runs."""
    computed = unchanged = 0
    after = 0
    on_sale: set[int] = set()
    while sources := product_embedding_sources(after_id=after, limit=batch_size):
        done, same = _store(sources)
        computed += done
        unchanged += same
        on_sale.update(s.product_id for s in sources)
        after = sources[-1].product_id
    stored = ProductEmbedding.objects.values_list("product_id", flat=True)
    # Not seen on sale by the pages above; checked again, since a product published
    # while the backfill ran may be on sale now (and keeps its new embedding).
    gone = [pk for pk in stored if pk not in on_sale]
    swept = product_embeddings_refresh(product_ids=gone) if gone else RefreshResult(0, 0, 0)
    return RefreshResult(
        computed=computed + swept.computed,
        unchanged=unchanged + swept.unchanged,
        removed=swept.removed,
    )
