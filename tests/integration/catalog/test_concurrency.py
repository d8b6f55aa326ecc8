"""Catalog writes racing each other on the real database, one connection per thread:
SKUs stay unique and a loser hears which SKU it lost, variants of one product are
added one at a time (limit, positions, size/colour pairs), stock rows stay single,
and a product on sale keeps an active variant."""

from __future__ import annotations

import itertools
import threading

import pytest

from shared_domain.catalog import services
from shared_domain.catalog.errors import SkuTaken, VariantExists
from shared_domain.catalog.models import Product, ProductVariant
from shared_domain.catalog.services import variants as variant_services
from shared_domain.catalog.vocabulary import SIZE_SYSTEMS
from shared_domain.common.errors import ValidationFailed
from shared_domain.inventory.models import Stock
from shared_domain.inventory.services import stock_set
from tests.concurrency import race
from tests.factories import VendorFactory, category_tree_fixture, make_product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    tree = category_tree_fixture()
    vendor = VendorFactory.create()
    product = make_product(
        vendor, title="Wrap Dress", category=tree["Maxi"], variants=[("WD-1", "M", "red", 3)]
    )
    return {"tree": tree, "vendor": vendor, "product": product}


def test_a_sku_race_has_one_winner_and_the_loser_hears_only_the_sku_it_lost(shop, monkeypatch):
    # Both writers pass the SKU check before either inserts: the unique constraint
    # decides, and the loser's error is built from its name, not from its message.
    checked = threading.Barrier(2)
    first_check = threading.local()
    check = variant_services._ensure_skus_free

    def check_then_wait(skus):
        check(skus)
        if not getattr(first_check, "done", False):
            first_check.done = True
            checked.wait(timeout=10)

    monkeypatch.setattr(variant_services, "_ensure_skus_free", check_then_wait)

    def create(own_sku: str) -> Product:
        return make_product(shop["vendor"], title=f"Racer {own_sku}", category=shop["tree"]["Maxi"],
                            variants=[(own_sku, "S", "blue", 1), ("SHARED-1", "M", "blue", 1)],
                            publish=False)  # fmt: skip

    outcomes = race(lambda: create("OWN-A"), lambda: create("OWN-B"))
    products = [o for o in outcomes if isinstance(o, Product)]
    errors = [o for o in outcomes if isinstance(o, SkuTaken)]
    assert (len(products), len(errors)) == (1, 1), outcomes
    assert errors[0].details == {"sku": ["SHARED-1"]}
    assert ProductVariant.objects.filter(sku="SHARED-1").get().product_id == products[0].pk
    assert Product.objects.filter(title__startswith="Racer").count() == 1


def test_concurrent_variant_adds_get_distinct_positions(shop):
    product = shop["product"]
    specs = [
        services.VariantSpec(sku=f"WD-{size}-{colour}", size=size, colour=colour, stock=1)
        for size, colour in itertools.product(("S", "L"), ("blue", "green", "black"))
    ]
    outcomes = race(*[
        lambda spec=spec: services.variant_add(product=product, spec=spec) for spec in specs
    ])  # fmt: skip
    assert all(isinstance(o, ProductVariant) for o in outcomes), outcomes
    positions = sorted(product.variants.values_list("position", flat=True))
    assert positions == list(range(len(specs) + 1))
    assert Stock.objects.filter(variant__product=product).count() == len(specs) + 1


def test_one_size_and_colour_whatever_its_case_wins_a_race(shop):
    product = shop["product"]
    outcomes = race(*[
        lambda n=n, colour=colour: services.variant_add(
            product=product,
            spec=services.VariantSpec(sku=f"WD-PINK-{n}", size="L", colour=colour),
        )
        for n, colour in enumerate(("Dusky pink", "dusky pink", "DUSKY PINK"))
    ])  # fmt: skip
    assert sorted(type(o).__name__ for o in outcomes) == [
        "ProductVariant", "VariantExists", "VariantExists",
    ], outcomes  # fmt: skip
    assert product.variants.filter(size="L").count() == 1


def test_the_variant_limit_holds_under_concurrent_adds(shop):
    sizes = SIZE_SYSTEMS["letter"]
    pairs = list(itertools.product(sizes, [f"shade {n}" for n in range(40)]))
    product = services.product_create(
        vendor_id=shop["vendor"].vendor_profile.pk,
        title="Many Shades",
        price="5000",
        variants=[
            services.VariantSpec(sku=f"MS-{n}", size=size, colour=colour)
            for n, (size, colour) in enumerate(pairs[: services.MAX_VARIANTS - 1])
        ],
    )
    last = pairs[services.MAX_VARIANTS - 1 : services.MAX_VARIANTS + 2]
    outcomes = race(*[
        lambda n=n, size=size, colour=colour: services.variant_add(
            product=product, spec=services.VariantSpec(sku=f"MS-LAST-{n}", size=size, colour=colour)
        )
        for n, (size, colour) in enumerate(last)
    ])  # fmt: skip
    assert sum(isinstance(o, ProductVariant) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, ValidationFailed) for o in outcomes) == 2
    assert product.variants.count() == services.MAX_VARIANTS


def test_deactivating_the_last_two_variants_at_once_leaves_one_on_sale(shop):
    product = shop["product"]
    services.variant_add(
        product=product, spec=services.VariantSpec(sku="WD-2", size="L", colour="red")
    )
    first, second = product.variants.order_by("position")
    outcomes = race(
        lambda: services.variant_deactivate(variant=first),
        lambda: services.variant_deactivate(variant=second),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["NotPublishable", "ProductVariant"]
    assert product.variants.filter(is_active=True).count() == 1


def test_concurrent_stock_sets_keep_one_stock_row(shop):
    variant = shop["product"].variants.get()
    Stock.objects.filter(variant=variant).delete()  # a variant written before stock rows
    quantities = [4, 7, 9, 12]
    outcomes = race(*[
        lambda quantity=quantity: stock_set(variant_id=variant.pk, quantity=quantity)
        for quantity in quantities
    ])  # fmt: skip
    assert all(isinstance(o, Stock) for o in outcomes), outcomes
    assert Stock.objects.filter(variant=variant).count() == 1
    assert Stock.objects.get(variant=variant).quantity in quantities


def test_a_variant_add_racing_a_sku_taken_elsewhere_is_a_clean_conflict(shop):
    other = make_product(shop["vendor"], title="Other", category=shop["tree"]["Maxi"],
                         publish=False)  # fmt: skip
    outcomes = race(*[
        lambda product=product: services.variant_add(
            product=product, spec=services.VariantSpec(sku="CONTESTED", size="XL", colour="red")
        )
        for product in (shop["product"], other)
    ])  # fmt: skip
    assert sorted(type(o).__name__ for o in outcomes) == ["ProductVariant", "SkuTaken"]
    loser = next(o for o in outcomes if isinstance(o, SkuTaken))
    assert loser.details == {"sku": ["CONTESTED"]}
    assert not any(isinstance(o, VariantExists) for o in outcomes)
