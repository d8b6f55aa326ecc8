"""Product embeddings: computed by a task on the `ai` queue when a product goes on sale
or its text changes, and only then; dropped when it goes off sale; neighbour queries
use the HNSW index."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from shared_domain.catalog import services as catalog
from shared_domain.catalog.selectors import product_embedding_sources
from shared_domain.discovery.embedding import embed_texts
from shared_domain.discovery.models import ProductEmbedding
from shared_domain.discovery.selectors import nearest_queryset
from shared_domain.discovery.services import product_embeddings_refresh
from tests.factories import VendorFactory, category_tree_fixture, make_product

pytestmark = pytest.mark.django_db(transaction=True)


def _queued() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return [
        task.queue_name
        for task in DBTaskResult.objects.filter(task_path__endswith="refresh_product_embeddings")
    ]


@pytest.fixture
def dress(django_capture_on_commit_callbacks):
    tree = category_tree_fixture()
    vendor = VendorFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        return make_product(
            vendor,
            title="Red Summer Dress",
            category=tree["Maxi"],
            description="A light cotton dress for hot days.",
            variants=[("RSD-M", "M", "red", 3)],
        )


def test_publishing_queues_the_embedding_on_the_ai_queue(dress, run_tasks):
    assert _queued() == ["ai"]
    assert not ProductEmbedding.objects.exists()  # nothing computed in the request
    run_tasks()
    stored = ProductEmbedding.objects.get(product_id=dress.pk)
    [source] = product_embedding_sources(product_ids=[dress.pk])
    # The text: title, department, category path and the description.
    assert source.text == (
        "Red Summer Dress. Unisex. Women > Dresses > Maxi. A light cotton dress for hot days"
    )
    # The stored vector is the model's embedding of exactly that text.
    assert len(stored.embedding) == 384
    np.testing.assert_allclose(stored.embedding, embed_texts([source.text])[0], atol=1e-5)


def test_recomputed_when_the_text_changes_and_only_then(
    dress, run_tasks, django_capture_on_commit_callbacks
):
    run_tasks()
    first = ProductEmbedding.objects.get(product_id=dress.pk)
    # Price, currency and attributes are not text: no event, no task.
    with django_capture_on_commit_callbacks(execute=True):
        catalog.product_update(
            product=dress, data={"price": Decimal(30000), "attributes": {"fabric": "Silk"}}
        )
    assert len(_queued()) == 1
    # Running the refresh again for an unchanged text computes nothing.
    again = product_embeddings_refresh(product_ids=[dress.pk])
    assert (again.computed, again.unchanged) == (0, 1)
    assert ProductEmbedding.objects.get(product_id=dress.pk).updated_at == first.updated_at
    # A new title is a new text: queued and recomputed.
    with django_capture_on_commit_callbacks(execute=True):
        catalog.product_update(product=dress, data={"title": "Leather Ankle Boots"})
    assert len(_queued()) == 2
    run_tasks()
    second = ProductEmbedding.objects.get(product_id=dress.pk)
    assert second.text_hash != first.text_hash
    assert float(np.dot(first.embedding, second.embedding)) < 0.9


def test_a_draft_has_no_embedding_and_archiving_drops_it(
    dress, run_tasks, django_capture_on_commit_callbacks
):
    run_tasks()
    draft = make_product(VendorFactory.create(), title="Draft", category=None, publish=False)
    assert product_embeddings_refresh(product_ids=[draft.pk]).computed == 0
    with django_capture_on_commit_callbacks(execute=True):
        catalog.product_archive(product=dress)
    assert not ProductEmbedding.objects.filter(product_id=dress.pk).exists()


def test_backfill_computes_what_is_missing_then_nothing(dress, capsys):
    call_command("backfill_embeddings")
    assert "1 computed, 0 unchanged" in capsys.readouterr().out
    call_command("backfill_embeddings")
    assert "0 computed, 1 unchanged" in capsys.readouterr().out
    assert ProductEmbedding.objects.filter(product_id=dress.pk).exists()


def test_neighbour_queries_use_the_hnsw_index():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(200, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ProductEmbedding.objects.bulk_create(
        ProductEmbedding(product_id=i + 1, embedding=v, text_hash="x", model="m")
        for i, v in enumerate(vectors)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE discovery_productembedding")
    among = ProductEmbedding.objects.values_list("product_id", flat=True)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = nearest_queryset(vectors[0], among=among)[:10].explain()
        ids = list(
            nearest_queryset(vectors[0], among=among)[:3].values_list("product_id", flat=True)
        )
    assert "product_embedding_hnsw" in plan, plan
    assert ids[0] == 1  # the vector itself is its nearest
