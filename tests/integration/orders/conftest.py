"""Fixtures of the orders tests: two vendors' products with stock, and customers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import CustomerFactory, VendorFactory, category_tree_fixture, make_product

ADDRESS = {
    "name": "Ada Obi",
    "line1": "12 Marina Road",
    "city": "Lagos",
    "state": "Lagos",
    "country": "ng",
    "phone": "+234 803 123 4567",
}


@pytest.fixture
def shop() -> dict[str, Any]:
    """Two stores: Ada (dress M: 5 units, L: 1) and Eko (shirt: 3 units)."""
    tree = category_tree_fixture()
    ada = VendorFactory.create()
    eko = VendorFactory.create()
    dress = make_product(
        ada,
        title="Ankara Maxi Dress",
        category=tree["Maxi"],
        price="25000",
        variants=[("DR-RED-M", "M", "red", 5), ("DR-RED-L", "L", "red", 1)],
    )
    shirt = make_product(eko, title="Linen Shirt", category=tree["Shirts"], price="15000",
                         variants=[("LS-BLU-L", "L", "blue", 3)])  # fmt: skip
    variants = {v.sku: v for p in (dress, shirt) for v in p.variants.all()}
    return {"ada": ada, "eko": eko, "dress": dress, "shirt": shirt, "variants": variants}


@pytest.fixture
def customer():
    return CustomerFactory.create()


def stock_of(variant) -> tuple[int, int, int]:
    """(quantity, allocated, reserved) of a variant now."""
    from shared_domain.inventory.models import Stock

    row = Stock.objects.get(variant=variant)
    return row.quantity, row.allocated, row.reserved
