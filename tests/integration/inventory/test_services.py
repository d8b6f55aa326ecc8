"""Inventory writes: setting a variant's units on hand."""

from __future__ import annotations

import pytest

from shared_domain.common.errors import ValidationFailed
from shared_domain.inventory.errors import BelowAllocated
from shared_domain.inventory.models import Stock
from shared_domain.inventory.services import stock_set
from tests.factories import VendorFactory, category_tree_fixture, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return category_tree_fixture()


@pytest.fixture
def vendor():
    return VendorFactory.create()


def test_stock_cannot_go_below_allocated(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 5)]
    )
    variant = product.variants.get()
    Stock.objects.filter(variant=variant).update(allocated=3)
    with pytest.raises(BelowAllocated) as error:
        stock_set(variant_id=variant.pk, quantity=2)
    assert error.value.details == {"allocated": 3, "reserved": 0, "quantity": 2}
    assert stock_set(variant_id=variant.pk, quantity=3).available == 0
    with pytest.raises(ValidationFailed):
        stock_set(variant_id=variant.pk, quantity=-1)
