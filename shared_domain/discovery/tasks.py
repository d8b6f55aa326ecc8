"""Tasks of the discovery context (queue `ai`): product embeddings, computed off the
path of the request that changed the product."""

from __future__ import annotations

from shared_domain.common.tasking import app_task
from shared_domain.discovery.services import product_embeddings_refresh


@app_task(queue="ai", max_retries=3)
def refresh_product_embeddings(*, product_ids: list[int]) -> dict[str, int]:
    result = product_embeddings_refresh(product_ids=[int(pk) for pk in product_ids])
    return {"computed": result.computed, "unchanged": result.unchanged, "removed": result.removed}
