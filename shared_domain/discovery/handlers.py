"""Reactions to the catalog's events (registered in DiscoveryConfig.ready): a product
that goes on sale or whose text changes gets its embedding (re)computed by a task on
the `ai` queue; one taken off sale loses it. The task compares the text's hash with
the stored one, so an event that changed nothing the model sees computes nothing."""

from __future__ import annotations

from shared_domain.catalog.events import ProductArchived, ProductPublished, ProductTextChanged
from shared_domain.common.events import subscribe


def product_changed(event: ProductPublished | ProductTextChanged) -> None:
    from shared_domain.discovery.tasks import refresh_product_embeddings

    refresh_product_embeddings.enqueue(product_ids=[event.product_id])


def product_archived(event: ProductArchived) -> None:
    from shared_domain.discovery.services import product_embedding_remove

    product_embedding_remove(product_id=event.product_id)


def register() -> None:
    subscribe(ProductPublished, product_changed)
    subscribe(ProductTextChanged, product_changed)
    subscribe(ProductArchived, product_archived)
