"""Variant writes: adding, changing and deactivating, size/colour pairs kept unique,
and their initial stock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.catalog import services
from shared_domain.catalog.errors import NotPublishable, SkuTaken, VariantExists
from shared_domain.catalog.models import Product
from shared_domain.common.errors import ValidationFailed
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def spec(sku="AMD-RED-M", size="M", colour="red", stock=5, **kw):
    return services.VariantSpec(sku=sku, size=size, colour=colour, stock=stock, **kw)


def test_last_active_variant_of_a_product_on_sale_cannot_be_deactivated(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    with pytest.raises(NotPublishable):
        services.variant_deactivate(variant=product.variants.get())
    assert product.variants.get().is_active


def test_variant_add_rules(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    with pytest.raises(VariantExists):
        services.variant_add(product=product, spec=spec(sku="D-2", size="m", colour="Red"))
    with pytest.raises(SkuTaken):
        services.variant_add(product=product, spec=spec(sku="D-1", size="L"))
    with pytest.raises(ValidationFailed):
        services.variant_add(product=product, spec=spec(sku="D-3", size="42"))  # not a letter size
    added = services.variant_add(product=product, spec=spec(sku="D-2", size="L", colour="Navy"))
    assert (added.colour_family, added.stock.quantity) == ("blue", 5)
    product.refresh_from_db()
    assert "'navi'" in str(product.search_vector)  # colours of variants are searchable


def test_variant_update_keeps_size_colour_pairs_unique(vendor, tree):
    product = make_product(
        vendor,
        title="Dress",
        category=tree["Maxi"],
        variants=[("D-1", "M", "red", 1), ("D-2", "L", "red", 1)],
    )
    large = product.variants.get(sku="D-2")
    with pytest.raises(VariantExists):
        services.variant_update(variant=large, data={"size": "M"})
    updated = services.variant_update(variant=large, data={"price_override": Decimal("27000.00")})
    assert updated.price == Decimal("27000.00")
    recased = services.variant_update(
        variant=large, data={"colour": "RED"}
    )  # same pair, new spelling
    assert (recased.colour, recased.colour_family) == ("RED", "red")
    with pytest.raises(VariantExists):
        services.variant_update(variant=large, data={"size": "M", "colour": "Red"})


def test_a_price_change_neither_checks_pairs_nor_touches_the_search_vector(
    vendor, tree, django_assert_num_queries
):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    variant = product.variants.get()
    Product.objects.filter(pk=product.pk).update(search_vector=None)
    # Savepoint, lock the product, lock the variant, save the price, release.
    with django_assert_num_queries(5):
        services.variant_update(variant=variant, data={"price_override": Decimal("30000.00")})
    product.refresh_from_db()
    assert product.search_vector is None
    services.variant_update(variant=variant, data={"colour": "Navy"})
    product.refresh_from_db()
    assert "'navi'" in str(product.search_vector)


def test_variant_pairs_are_unique_whatever_the_case_even_in_the_database(vendor, tree):
    """The services check first; the constraint (on the lower-cased colour) decides
    when a check is raced, and its name, never the values in the message, says which
    error it is."""
    from shared_domain.catalog.services.variants import create_variants

    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "Dusky pink", 1)]
    )
    with pytest.raises(VariantExists):
        create_variants(product, [spec(sku="SKU-DUSKY", size="M", colour="dusky PINK")])
    with pytest.raises(SkuTaken) as error:
        create_variants(product, [spec(sku="D-1", size="L"), spec(sku="D-9", size="S")])
    assert error.value.details == {"sku": ["D-1"]}
    assert product.variants.count() == 1
