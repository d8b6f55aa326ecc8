"""Reviews by verified purchasers: the customer of a delivered order item reviews its
product once. The orders context decides who may; the catalog keeps the review and
the product's rating."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shared_domain.accounts.selectors import Account
from shared_domain.catalog.errors import AlreadyReviewed
from shared_domain.catalog.selectors import ReviewView, author_display_name
from shared_domain.catalog.services import review_add
from shared_domain.common.errors import NotFound
from shared_domain.orders.errors import NotDelivered
from shared_domain.orders.lifecycle import Status
from shared_domain.orders.models import OrderItem
from shared_domain.orders.services._common import customer_check


@transaction.atomic
def order_item_review(
    *, customer: Account, order_id: int, item_id: int, rating: int, text: str
) -> ReviewView:
    customer_check(customer)
    item = (
        OrderItem.objects.select_for_update(of=("self",))
        .select_related("vendor_order")
        .filter(pk=item_id, order_id=order_id, order__customer=customer)
        .first()
    )
    if item is None:
        raise NotFound("No such item in your orders.")
    if item.vendor_order.status != Status.DELIVERED:
        raise NotDelivered(details={"status": item.vendor_order.status})
    if item.reviewed_at is not None:
        raise AlreadyReviewed()
    review = review_add(
        product_id=item.product_id,
        author_id=customer.pk,
        order_item_id=item.pk,
        rating=rating,
        text=text,
    )
    item.reviewed_at = timezone.now()
    item.save(update_fields=["reviewed_at"])
    return ReviewView(
        id=review.pk,
        rating=review.rating,
        text=review.text,
        author_name=author_display_name(customer.full_name),
        created_at=review.created_at,
    )
