from __future__ import annotations

import dataclasses

from shared_domain.common.events import Event


@dataclasses.dataclass(frozen=True)
class ProductPublished(Event):
    product_id: int
    vendor_id: int


@dataclasses.dataclass(frozen=True)
class ProductArchived(Event):
    product_id: int
    vendor_id: int


@dataclasses.dataclass(frozen=True)
class ProductTextChanged(Event):
    """The words that describe a product on sale changed (title, description, brand,
    category or department): what other contexts derive from its text is stale."""

    product_id: int
