"""Search: relevance on fixed data, prefix and SKU matches, safe handling of odd
syntax, filters, query budgets and index use."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection

from shared_domain.catalog import services
from shared_domain.catalog.models import Product
from shared_domain.catalog.params import SearchParams
from shared_domain.catalog.selectors import (
    product_facets,
    product_search,
    product_search_keyset,
    search_resolve,
)
from shared_domain.catalog.selectors.read_models import (
    ProductCard,
    category_ref,
    vendor_card,
)
from shared_domain.catalog.selectors.search import (
    search_filtered,
    search_ordering,
    with_card_fields,
)
from shared_domain.catalog.vocabulary import size_sort_key
from shared_domain.common.errors import ValidationFailed
from shared_domain.inventory.models import Stock
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def ids(page) -> list[int]:
    return [item.id for item in page.items]


def search(**params):
    return product_search(SearchParams(**params), limit=50, offset=0)


def test_title_matches_rank_above_description_matches(catalog):
    page = search(q="ankara")
    assert ids(page) == [catalog["maxi"].pk, catalog["blouse"].pk]
    assert page.total == 2  # drafts are never listed


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ank", ["maxi", "blouse"]),  # prefix of a word
        ("ankara dre", ["maxi"]),  # every word must match
        ("dresses", ["maxi", "gown"]),  # stemming + category names
        ("aso", ["gown"]),
        ("women", {"gown", "maxi", "blouse"}),  # ancestor category names (equal ranks)
        ("amd-red-l", ["maxi"]),  # exact SKU, any case
        ('"maxi dress"', ["maxi"]),  # phrase
        ("gown -aso", ["maxi"]),  # exclusion
        ("linen or silk", ["shirt", "blouse"]),
        ("navy", ["gown"]),  # colour names of variants
    ],
)
def test_relevance_on_fixed_data(catalog, q, expected):
    found = {catalog[name].pk: name for name in ("maxi", "blouse", "gown", "shirt")}
    names = [found[i] for i in ids(search(q=q))]
    assert (set(names) if isinstance(expected, set) else names) == expected


def test_exact_sku_comes_first(catalog):
    page = search(q="SB-WHT-S")
    assert ids(page)[0] == catalog["blouse"].pk


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"ankara', ["maxi", "blouse"]),  # an unclosed quote
        ("ankara &&&", ["maxi", "blouse"]),
        ("!!!", []),
        (":*", []),
        ("linen:*", ["shirt"]),
        ("a" * 5000, []),
        ("aso " + "x" * 5000, []),  # cut to MAX_QUERY_LENGTH: every word must still match
        ("'; DROP TABLE catalog_product;--", []),
        ("( linen ) | &", ["shirt"]),
    ],
)
def test_odd_syntax_gives_a_safe_result(catalog, q, expected):
    found = {catalog[name].pk: name for name in ("maxi", "blouse", "gown", "shirt")}
    page = search(q=q)
    assert [found[i] for i in ids(page)] == expected
    assert page.total == len(expected)
    assert Product.objects.count() == 5


def test_filters_combine(catalog):
    tree = catalog["tree"]
    assert ids(search(category=str(tree["Women"].pk), sort="price")) == [
        catalog["blouse"].pk, catalog["maxi"].pk, catalog["gown"].pk,
    ]  # fmt: skip
    assert ids(search(category="women-dresses")) == [catalog["gown"].pk, catalog["maxi"].pk]
    assert ids(search(vendor="ada-styles", sort="price")) == [
        catalog["blouse"].pk,
        catalog["maxi"].pk,
    ]
    assert ids(search(brand="eko threads", sort="-price")) == [
        catalog["gown"].pk,
        catalog["shirt"].pk,
    ]
    assert ids(search(min_price=Decimal(10000), max_price=Decimal(30000), sort="price")) == [
        catalog["shirt"].pk, catalog["maxi"].pk,
    ]  # fmt: skip
    assert ids(search(colours=("wine",))) == [catalog["maxi"].pk]  # wine is a red


def test_in_stock_applies_to_the_requested_size(catalog):
    assert ids(search(sizes=("L",))) == [catalog["shirt"].pk, catalog["maxi"].pk]
    assert ids(search(sizes=("L",), in_stock=True)) == []  # both L variants have 0 units
    assert ids(search(sizes=("M",), in_stock=True, sort="price")) == [
        catalog["maxi"].pk,
        catalog["gown"].pk,
    ]
    assert search(q="linen", in_stock=True).total == 0


def test_cards_carry_sizes_in_stock_and_vendor(catalog):
    card = search(q="ankara maxi").items[0]
    assert card.sizes_in_stock == ["M"]
    assert card.price == Decimal("25000.00")
    assert (card.vendor.name, card.currency) == ("Ada Styles", "NGN")
    assert card.rating is None


def test_unknown_category_or_vendor_is_a_validation_error(catalog):
    with pytest.raises(ValidationFailed) as error:
        search(category="no-such-category")
    assert error.value.details == {"category": ["Unknown category."]}
    with pytest.raises(ValidationFailed):
        search(vendor="999999")


@pytest.mark.parametrize("value", ["²", "١٢", "1²", "1\n", " 1", "9" * 30, "-1", "+1"])
def test_ids_are_plain_digits_and_anything_else_is_an_unknown_slug(catalog, value):
    with pytest.raises(ValidationFailed) as error:
        search(category=value)
    assert error.value.details == {"category": ["Unknown category."]}
    with pytest.raises(ValidationFailed) as error:
        search(vendor=value)
    assert error.value.details == {"vendor": ["Unknown vendor."]}


def test_category_and_vendor_by_id(catalog):
    tree, ada = catalog["tree"], catalog["ada"].vendor_profile
    assert ids(search(category=str(tree["Tops"].pk))) == [catalog["blouse"].pk]
    assert ids(search(vendor=str(ada.pk), category=str(tree["Dresses"].pk))) == [
        catalog["maxi"].pk
    ]


def test_query_count_does_not_grow_with_page_size(catalog, django_assert_num_queries):
    for n in range(20):
        make_product(catalog["ada"], title=f"Ankara Style {n}", category=catalog["tree"]["Tops"],
                     variants=[(f"AS-{n}", "M", "red", 1), (f"AS-{n}-L", "L", "blue", 2)])  # fmt: skip
    query = "ankara style"  # two words: cannot be a SKU, so no SKU lookup
    product_facets(SearchParams(q=query))  # warm the category cache
    for limit in (1, 20):
        with django_assert_num_queries(1):
            page = product_search(SearchParams(q=query), limit=limit, offset=0)
        assert len(page.items) == limit
        with django_assert_num_queries(1):
            product_search_keyset(SearchParams(q=query), limit=limit, cursor=None)
    with django_assert_num_queries(1):
        product_facets(SearchParams(q=query, in_stock=True))
    with django_assert_num_queries(2):  # SKU-like queries first look the SKU up
        product_search(SearchParams(q="AS-7"), limit=25, offset=0)


def test_main_search_query_uses_the_gin_index():
    from django.core.management import call_command

    from shared_domain.catalog.selectors.search import search_filtered

    # At catalog scale (on a few thousand rows a table scan is cheaper and chosen).
    call_command("seed_demo", vendors=5, products=10_000, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
        # The cost of a random read on SSD storage (the embedded server and managed
        # PostgreSQL use it); with the spinning-disk default of 4 the choice between
        # index and table scan is a coin toss at this size.
        cursor.execute("SET LOCAL random_page_cost = 1.1")
    for q in ("ankara dress", "agbada"):
        plan = search_filtered(search_resolve(SearchParams(q=q))).explain()
        assert "Bitmap Index Scan on product_search_gin" in plan, plan


def test_stock_changes_show_in_results_at_once(catalog):
    variant = catalog["shirt"].variants.get()
    assert search(q="linen", in_stock=True).total == 0
    Stock.objects.filter(variant=variant).update(quantity=4)
    assert search(q="linen", in_stock=True).total == 1
    services.product_archive(product=catalog["shirt"])
    assert search(q="linen").total == 0


def orm_card(product) -> ProductCard:
    """The card of a model instance annotated as with_card_fields does: what a page
    read through its compiled SQL must equal."""
    return ProductCard(
        id=product.pk,
        title=product.title,
        slug=product.slug,
        price=product.base_price,
        currency=product.currency,
        brand=product.brand,
        department=product.department,
        category=category_ref(product.category),
        vendor=vendor_card(product),
        rating=product.rating_avg,
        rating_count=product.rating_count,
        reviews_count=product.rating_count,
        sizes_in_stock=sorted(dict.fromkeys(product.card_sizes or ()), key=size_sort_key),
        colours=list(dict.fromkeys(product.card_colours or ())),
        image=product.card_image,
        published_at=product.published_at,
    )


@pytest.mark.parametrize(
    "params",
    [
        {"q": "ankara"},
        {"q": "dresses", "sort": "price"},
        {"category": "women", "sort": "-price"},
        {"sizes": ("M",), "in_stock": True},
        {"q": "amd-red-l"},
        {"sort": "rating"},
        {},
    ],
)
def test_compiled_pages_are_the_cards_of_the_orm_rows(catalog, params):
    """Pages read through their compiled SQL (offset pages and keyset pages) hold
    exactly the cards that loading model instances of the same queryset gives."""
    resolved = search_resolve(SearchParams(**params))
    orm = with_card_fields(search_filtered(resolved)).order_by(
        *search_ordering(resolved.params.effective_sort)
    )
    expected = [orm_card(p) for p in orm[:50]]
    assert expected
    for _ in range(2):  # compiled on the first call, reused on the second
        page = product_search(resolved, limit=50, offset=0)
        assert page.items == expected
        assert page.total == len(expected)
        cards, cursor = [], None
        while True:
            keyset = product_search_keyset(resolved, limit=2, cursor=cursor)
            cards += keyset.items
            if not (cursor := keyset.next_cursor):
                break
        assert cards == expected
