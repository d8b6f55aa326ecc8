"""Facet counts of a search, following its filters, cached briefly."""

from __future__ import annotations

import pytest

from shared_domain.catalog.params import SearchParams
from shared_domain.catalog.selectors import (
    product_facets,
    product_search,
)
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def ids(page) -> list[int]:
    return [item.id for item in page.items]


def search(**params):
    return product_search(SearchParams(**params), limit=50, offset=0)


def test_facet_counts(catalog):
    facets = product_facets(SearchParams())
    by = {
        kind: {f.label: f.count for f in getattr(facets, kind)}
        for kind in ("category", "size", "colour", "price", "vendor")
    }
    assert by["category"] == {"Maxi": 1, "Tops": 1, "Dresses": 1, "Shirts": 1}
    assert by["size"] == {"S": 1, "M": 2, "L": 2}
    assert by["colour"] == {"Red": 1, "White": 1, "Yellow": 1, "Blue": 2}
    assert by["price"] == {
        "0 - 10,000": 1,
        "10,000 - 25,000": 1,
        "25,000 - 50,000": 1,
        "100,000 and above": 1,
    }
    assert by["vendor"] == {"Ada Styles": 2, catalog["eko"].vendor_profile.store_name: 2}
    in_stock = product_facets(SearchParams(in_stock=True))
    assert {f.value: f.count for f in in_stock.size} == {"S": 1, "M": 2}
    searched = product_facets(SearchParams(q="ankara"))
    assert {f.label: f.count for f in searched.category} == {"Maxi": 1, "Tops": 1}


def test_facet_counts_follow_the_filters(catalog):
    eko = catalog["eko"].vendor_profile
    large = product_facets(SearchParams(sizes=("L",)))  # the maxi dress and the shirt
    assert {f.label: f.count for f in large.category} == {"Maxi": 1, "Shirts": 1}
    # Sizes count the products with such a variant among the matches, all of their sizes.
    assert {f.value: f.count for f in large.size} == {"M": 1, "L": 2}
    assert {f.value: f.count for f in large.colour} == {"red": 1, "blue": 1}
    assert {f.value: f.count for f in large.price} == {"10000-25000": 1, "25000-50000": 1}
    by_vendor = product_facets(SearchParams(vendor=eko.slug))
    assert [(f.label, f.count) for f in by_vendor.vendor] == [(eko.store_name, 2)]
    assert {f.value: f.count for f in by_vendor.size} == {"M": 1, "L": 1}
    assert {f.value: f.count for f in by_vendor.colour} == {"yellow": 1, "blue": 2}
    in_stock = product_facets(SearchParams(vendor=eko.slug, in_stock=True))
    # The shirt has no units: it leaves the sizes and colours, not the other counts.
    assert {f.value: f.count for f in in_stock.size} == {"M": 1}
    assert {f.value: f.count for f in in_stock.colour} == {"yellow": 1, "blue": 1}


def test_facets_are_cached_briefly_and_survive_redis_outages(catalog, settings, redis_db):
    from shared_domain.common.redis import reset_clients

    settings.FACETS_CACHE_SECONDS = 30
    before = {f.value: f.count for f in product_facets(SearchParams()).size}
    make_product(catalog["ada"], title="Another Maxi", category=catalog["tree"]["Maxi"],
                 variants=[("AM-S", "S", "red", 1)])  # fmt: skip
    cached = {f.value: f.count for f in product_facets(SearchParams()).size}
    assert cached == before  # served from the cache within its lifetime
    assert ids(search(q="another maxi"))  # items are never cached
    # Django resets its cache handlers when CACHES changes.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    reset_clients()
    fresh = {f.value: f.count for f in product_facets(SearchParams()).size}
    assert fresh["S"] == before["S"] + 1  # Redis down: computed, not a 500
