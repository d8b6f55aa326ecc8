"""The reviews of a product on sale, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared_domain.catalog.models import Product, Review
from shared_domain.common.errors import NotFound


@dataclass(frozen=True)
class ReviewView:
    id: int
    rating: int
    text: str
    author_name: str
    created_at: datetime


@dataclass(frozen=True)
class ReviewPage:
    items: list[ReviewView]
    total: int
    limit: int
    offset: int


def author_display_name(full_name: str) -> str:
    """ "Ada Okafor" -> "Ada O.": enough to read as a person, not to find one."""
    parts = full_name.split()
    if not parts:
        return "A customer"
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


def review_list_for_product(*, product_id: int, limit: int, offset: int) -> ReviewPage:
    """A page of the reviews of an active product (three queries); else not found."""
    if not Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE).exists():
        raise NotFound("No such product.")
    reviews = Review.objects.filter(product_id=product_id)
    total = reviews.count()
    rows = reviews.order_by("-created_at", "-id").values(
        "id", "rating", "text", "created_at", "author__full_name"
    )[offset : offset + limit]
    items = [
        ReviewView(
            id=row["id"],
            rating=row["rating"],
            text=row["text"],
            author_name=author_display_name(row["author__full_name"] or ""),
            created_at=row["created_at"],
        )
        for row in rows
    ]
    return ReviewPage(items=items, total=total, limit=limit, offset=offset)
