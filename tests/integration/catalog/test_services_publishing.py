"""Publishing rules: what a product needs to go on sale, and taking it off sale."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.catalog import services
from shared_domain.catalog.errors import NotPublishable
from shared_domain.catalog.models import Product
from shared_domain.common.models import EventRecord
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def spec(sku="AMD-RED-M", size="M", colour="red", stock=5, **kw):
    return services.VariantSpec(sku=sku, size=size, colour=colour, stock=stock, **kw)


def test_publish_needs_a_category_and_an_active_variant(vendor):
    product = services.product_create(
        vendor_id=vendor.vendor_profile.pk, title="Bare", price=Decimal(10)
    )
    with pytest.raises(NotPublishable) as error:
        services.product_publish(product=product)
    assert set(error.value.details) == {"category", "variants"}
    assert Product.objects.get().status == "draft"


def test_publish_needs_an_active_variant_not_just_a_variant(vendor, tree):
    product = services.product_create(
        vendor_id=vendor.vendor_profile.pk,
        title="Dress",
        price=Decimal(10),
        category_id=tree["Maxi"].pk,
        variants=[spec(is_active=False), spec(sku="D-2", size="L", is_active=False)],
    )
    with pytest.raises(NotPublishable) as error:
        services.product_publish(product=product)
    assert error.value.details == {"variants": ["Add at least one active variant."]}
    assert Product.objects.get().status == "draft"


def test_publish_and_archive(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    assert product.status == "active"
    assert product.published_at is not None
    assert EventRecord.objects.filter(event_type="catalog.ProductPublished").count() == 1
    archived = services.product_archive(product=product)
    assert archived.status == "archived"
    republished = services.product_publish(product=archived)
    assert republished.published_at == product.published_at  # first publication kept
