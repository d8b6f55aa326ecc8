"""Putting products on sale and taking them off: the rules a product on sale must meet."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shared_domain.accounts.errors import EmailNotVerified
from shared_domain.accounts.selectors import store_owner_email_verified
from shared_domain.catalog import events
from shared_domain.catalog.errors import NotPublishable
from shared_domain.catalog.models import Product
from shared_domain.catalog.services.validation import Errors
from shared_domain.common.events import publish


def publish_problems(product: Product) -> Errors:
    problems: Errors = {}
    if product.category_id is None:
        problems["category"] = ["Choose a category."]
    if not product.variants.filter(is_active=True).exists():
        problems["variants"] = ["Add at least one active variant."]
    return problems


@transaction.atomic
def product_publish(*, product: Product) -> Product:
    """Put a product on sale: it needs a category and an active variant (a price it
    always has), and its vendor a verified email address (EmailNotVerified: an
    unconfirmed account keeps drafts but sells nothing). Every product goes on sale
    through here, which sets published_at."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if locked.status != Product.Status.ACTIVE and not store_owner_email_verified(
        vendor_id=locked.vendor_id
    ):
        raise EmailNotVerified()
    if problems := publish_problems(locked):
        raise NotPublishable(
            "The product cannot go on sale yet: "
            + "; ".join(m for ms in problems.values() for m in ms),
            details=problems,
        )
    if locked.status != Product.Status.ACTIVE:
        locked.status = Product.Status.ACTIVE
        locked.published_at = locked.published_at or timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        publish(events.ProductPublished(product_id=locked.pk, vendor_id=locked.vendor_id))
    return locked


@transaction.atomic
def product_archive(*, product: Product) -> Product:
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if locked.status != Product.Status.ARCHIVED:
        locked.status = Product.Status.ARCHIVED
        locked.save(update_fields=["status", "updated_at"])
        publish(events.ProductArchived(product_id=locked.pk, vendor_id=locked.vendor_id))
    return locked
