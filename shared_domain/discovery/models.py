from __future__ import annotations

from django.db import models
from django.utils import timezone
from pgvector.django import HnswIndex, VectorField

from shared_domain.discovery.embedding import DIMENSIONS


class ProductEmbedding(models.Model):
    """The sentence embedding of a product on sale's text (unit length, so cosine
    distance orders neighbours). `text_hash` is the hash of the text and model it was
    computed from: a change that leaves the text as it was computes nothing."""

    # The catalog's product (a lower context: an id, not a foreign key into its table).
    product_id = models.BigIntegerField(primary_key=True)
    embedding = VectorField(dimensions=DIMENSIONS)
    text_hash = models.CharField(max_length=64)
    model = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            HnswIndex(
                name="product_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"embedding of product {self.product_id}"
