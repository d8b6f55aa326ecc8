"""Reviews and the product rating they keep. Orders decides who may review what (a
delivered item of the customer's own order) and calls `review_add`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction

from shared_domain.catalog.errors import AlreadyReviewed
from shared_domain.catalog.models import Product, Review
from shared_domain.common.errors import NotFound, ValidationFailed

MAX_REVIEW_TEXT = 2048
CENT = Decimal("0.01")


def rating_average(total: int, count: int) -> Decimal | None:
    if count == 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def review_add(
    *, product_id: int, author_id: int, order_item_id: int, rating: int, text: str
) -> Review:
    """Add the review of one order item and fold its stars into the product's rating.
    A second review of the same item is `AlreadyReviewed`, however the calls race."""
    problems: dict[str, list[str]] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        problems["rating"] = ["Give a whole number of stars from 1 to 5."]
    clean_text = text.strip()
    if len(clean_text) > MAX_REVIEW_TEXT:
        problems["text"] = [f"At most {MAX_REVIEW_TEXT} characters."]
    if problems:
        raise ValidationFailed(details=problems)
    # The product row lock orders the reviews of one product, so each sees the last
    # one's sum and count (no aggregation over the reviews).
    product = (
        Product.objects.select_for_update()
        .only("pk", "rating_avg", "rating_count", "rating_sum")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise NotFound("No such product.", details={"product_id": product_id})
    try:
        # The unique order_item_id decides a race; the savepoint keeps the caller's
        # transaction usable after the refused insert.
        with transaction.atomic():
            review = Review.objects.create(
                product=product,
                author_id=author_id,
                order_item_id=order_item_id,
                rating=rating,
                text=clean_text,
            )
    except IntegrityError as exc:
        raise AlreadyReviewed(details={"order_item_id": order_item_id}) from exc
    product.rating_sum += rating
    product.rating_count += 1
    product.rating_avg = rating_average(product.rating_sum, product.rating_count)
    product.save(update_fields=["rating_sum", "rating_count", "rating_avg"])
    return review
