"""Fixtures of the catalog tests: the category tree, a vendor, and a small fixed catalog
from two stores."""

from __future__ import annotations

import pytest

from tests.factories import VendorFactory, category_tree_fixture, make_product


@pytest.fixture
def tree():
    return category_tree_fixture()


@pytest.fixture
def vendor():
    return VendorFactory.create()


@pytest.fixture
def catalog():
    """A small fixed catalog from two stores."""
    tree = category_tree_fixture()
    ada = VendorFactory.create()
    eko = VendorFactory.create()
    ada.vendor_profile.store_name, ada.vendor_profile.slug = "Ada Styles", "ada-styles"
    ada.vendor_profile.save()
    products = {
        "maxi": make_product(ada, title="Ankara Maxi Dress", category=tree["Maxi"], price="25000",
                             description="Flowing wax print gown", brand="Ada Styles",
                             variants=[("AMD-RED-M", "M", "red", 5), ("AMD-RED-L", "L", "red", 0)]),
        "blouse": make_product(ada, title="Silk Blouse", category=tree["Tops"], price="9000",
                               description="Pairs with an ankara skirt", brand="Ada Styles",
                               variants=[("SB-WHT-S", "S", "white", 2)]),
        "gown": make_product(eko, title="Aso-oke Evening Gown", category=tree["Dresses"], price="120000",
                             description="Hand-woven aso-oke", brand="Eko Threads",
                             variants=[("AEG-GLD-M", "M", "gold", 1), ("AEG-NVY-M", "M", "navy", 3)]),
        "shirt": make_product(eko, title="Linen Shirt", category=tree["Shirts"], price="15000",
                              description="Breathable linen for hot days", brand="Eko Threads",
                              variants=[("LS-BLU-L", "L", "blue", 0)]),
        "draft": make_product(eko, title="Ankara Draft Dress", category=tree["Maxi"], publish=False,
                              variants=[("ADD-RED-M", "M", "red", 9)]),
    }  # fmt: skip
    return {"tree": tree, "ada": ada, "eko": eko, **products}
