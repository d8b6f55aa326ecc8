"""Keyset pages of a search: stable under inserts, through ties, every result once,
and cursors that are not ours refused."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shared_domain.catalog import services
from shared_domain.catalog.models import Product
from shared_domain.catalog.params import SearchParams
from shared_domain.catalog.selectors import product_search, product_search_keyset
from shared_domain.common.errors import ValidationFailed
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def ids(page) -> list[int]:
    return [item.id for item in page.items]


def search(**params):
    return product_search(SearchParams(**params), limit=50, offset=0)


def walk(params, *, limit=1):
    seen, cursor = [], None
    while True:
        page = product_search_keyset(params, limit=limit, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen


def cursor_of(*parts):
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


def test_keyset_pages_are_stable_when_products_are_added(catalog):
    first = product_search_keyset(SearchParams(sort="price"), limit=2, cursor=None)
    assert ids(first) == [catalog["blouse"].pk, catalog["shirt"].pk]
    make_product(catalog["ada"], title="Cheap Scarf", category=catalog["tree"]["Tops"], price="100",
                 variants=[("CS-1", "M", "red", 1)])  # fmt: skip
    second = product_search_keyset(SearchParams(sort="price"), limit=2, cursor=first.next_cursor)
    assert ids(second) == [catalog["maxi"].pk, catalog["gown"].pk]
    assert second.next_cursor is None


@pytest.mark.parametrize(
    ("sort", "order"), [("price", "ascending ids"), ("-price", "descending ids")]
)
def test_keyset_pages_through_price_ties_once_in_id_order(catalog, sort, order):
    same = [
        make_product(catalog["ada"], title=f"Tied Wrap {n}", category=catalog["tree"]["Tops"],
                     price="9000", variants=[(f"TW-{n}", "M", "red", 1)])
        for n in range(4)
    ] + [catalog["blouse"]]  # fmt: skip
    tied = sorted(p.pk for p in same)
    seen = [pk for pk in walk(SearchParams(sort=sort)) if pk in tied]
    assert seen == (tied if order == "ascending ids" else tied[::-1])
    assert len(walk(SearchParams(sort=sort), limit=2)) == 8


def test_keyset_pages_through_publication_ties_once(catalog):
    moment = timezone.now() - timedelta(days=1)
    Product.objects.filter(status="active").update(published_at=moment)
    later = make_product(catalog["eko"], title="Late Kaftan", category=catalog["tree"]["Shirts"],
                         variants=[("LK-1", "M", "red", 1)])  # fmt: skip
    seen = walk(SearchParams(sort="newest"))
    assert seen[0] == later.pk
    assert seen[1:] == sorted((catalog[n].pk for n in ("maxi", "blouse", "gown", "shirt")),
                              reverse=True)  # fmt: skip


def test_a_product_on_sale_always_has_a_publication_date(catalog):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=catalog["maxi"].pk).update(published_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=catalog["draft"].pk).update(status="active")
    assert services.product_publish(product=catalog["draft"]).published_at is not None


@pytest.mark.parametrize("sort", ["relevance", "newest", "-price", "rating"])
def test_keyset_walks_every_result_once(catalog, sort):
    seen, cursor = [], None
    while True:
        page = product_search_keyset(
            SearchParams(q="a" if sort == "relevance" else "", sort=sort), limit=1, cursor=cursor
        )
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert set(seen) == set(ids(search(q="a" if sort == "relevance" else "", sort=sort)))


def test_cursor_of_another_sort_or_garbage_is_refused(catalog):
    cursor = product_search_keyset(SearchParams(sort="price"), limit=1, cursor=None).next_cursor
    with pytest.raises(ValidationFailed):
        product_search_keyset(SearchParams(sort="newest"), limit=1, cursor=cursor)
    with pytest.raises(ValidationFailed):
        product_search_keyset(SearchParams(sort="price"), limit=1, cursor="not-base64!!")


@pytest.mark.parametrize(
    ("sort", "value", "pk"),
    [
        ("price", "NaN", 1),
        ("price", "Infinity", 1),
        ("price", "-Infinity", 1),
        ("price", "sNaN", 1),
        ("price", "1e999999", 1),
        ("price", 12, 1),
        ("price", "12", True),
        ("price", "12", 2**70),
        ("relevance", "nan", 1),
        ("relevance", "inf", 1),
        ("newest", "2026-01-01T00:00:00", 1),  # no time zone
        ("newest", None, 1),
        ("rating", "NaN", 1),
    ],
)
def test_cursors_with_non_finite_or_odd_keys_are_refused(catalog, sort, value, pk):
    params = SearchParams(q="a" if sort == "relevance" else "", sort=sort)
    with pytest.raises(ValidationFailed) as error:
        product_search_keyset(params, limit=1, cursor=cursor_of(sort, value, pk))
    assert list(error.value.details) == ["cursor"]
