"""Shoppers' product detail reads prepared plain rows: it must give exactly what the
ORM path (`product_detail` over the active products) gives, in as many queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_domain.catalog import services
from shared_domain.catalog.models import Product
from shared_domain.catalog.selectors import product_detail, product_detail_public
from shared_domain.common.errors import NotFound
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def _orm_detail(product_id: int):
    return product_detail(
        queryset=Product.objects.filter(status=Product.Status.ACTIVE), product_id=product_id
    )


def test_public_detail_equals_the_orm_detail_field_for_field(vendor, tree):
    product = make_product(
        vendor, title="Ankara Maxi Dress", category=tree["Maxi"], price="25000",
        description="Wax print", brand="Ada Styles", attributes={"fabric": "cotton", "n": 2},
        variants=[("AMD-RED-M", "M", "red", 5), ("AMD-RED-L", "L", "red", 0),
                  ("AMD-BLU-S", "S", "blue", 3)],
    )  # fmt: skip
    services.variant_add(
        product=product,
        spec=services.VariantSpec(sku="AMD-GLD-XL", size="XL", colour="gold", stock=2,
                                  price_override=Decimal(27500), is_active=False),
    )  # fmt: skip
    services.image_add(product=product, url="https://img.example/b.jpg", alt_text="back")
    services.image_add(product=product, url="https://img.example/a.jpg", alt_text="front")

    with CaptureQueriesContext(connection) as fast_queries:
        fast = product_detail_public(product_id=product.pk)
    with CaptureQueriesContext(connection) as orm_queries:
        slow = _orm_detail(product.pk)

    assert fast == slow
    assert fast.attributes == {"fabric": "cotton", "n": 2}
    assert [v.price for v in fast.variants][-1] == Decimal(27500)
    assert fast.sizes_in_stock == ["S", "M"]
    assert len(fast_queries) == len(orm_queries) == 3


def test_public_detail_without_images_or_stock(vendor, tree):
    product = make_product(
        vendor, title="Plain Wrapper", category=tree["Tops"], variants=[("PW-1", "M", "red", 0)]
    )
    assert product_detail_public(product_id=product.pk) == _orm_detail(product.pk)


def test_public_detail_hides_what_is_not_on_sale(vendor, tree):
    draft = make_product(vendor, title="Draft Kaftan", category=tree["Maxi"], publish=False)
    with pytest.raises(NotFound):
        product_detail_public(product_id=draft.pk)
    with pytest.raises(NotFound):
        product_detail_public(product_id=draft.pk + 10_000)
