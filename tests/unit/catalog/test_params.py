"""The closed lists of the catalog are defined once (shared_domain.catalog.params);
everything that enumerates them is derived from, or checked against, that one list."""

from __future__ import annotations

from shared_domain.catalog import selectors
from shared_domain.catalog.models import Product
from shared_domain.catalog.params import DEPARTMENTS, PRODUCT_SORTS, PRODUCT_STATUSES


def test_every_sort_has_an_ordering_and_a_cursor_key():
    assert tuple(selectors.ORDERINGS) == PRODUCT_SORTS
    assert tuple(selectors.CURSOR_KEYS) == PRODUCT_SORTS


def test_model_choices_are_the_vocabulary():
    assert tuple(Product.Department.values) == DEPARTMENTS
    assert tuple(Product.Status.values) == PRODUCT_STATUSES
