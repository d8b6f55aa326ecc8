"""Catalog write rules: creation with variants and stock, publish rules, variants,
stock, images, and the search vector kept current by the services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.catalog import services
from shared_domain.catalog.errors import NotPublishable, SkuTaken, VariantExists
from shared_domain.catalog.models import Product, ProductVariant
from shared_domain.common.errors import ValidationFailed
from shared_domain.common.models import EventRecord
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


def spec(sku="AMD-RED-M", size="M", colour="red", stock=5, **kw):
    return services.VariantSpec(sku=sku, size=size, colour=colour, stock=stock, **kw)


def test_create_makes_a_draft_with_variants_stock_images_and_a_search_vector(vendor, tree):
    product = services.product_create(
        vendor_id=vendor.vendor_profile.pk,
        title="Ankara Maxi Dress",
        price=Decimal("25000.00"),
        category_id=tree["Maxi"].pk,
        brand="Ada Styles",
        variants=[spec(), spec(sku="amd-red-l", size="l")],
        images=[services.ImageSpec(url="https://img.example/1.jpg", alt_text="front")],
    )
    assert product.status == "draft"
    assert product.slug.startswith("ankara-maxi-dress-")
    variants = list(product.variants.order_by("position"))
    assert [(v.sku, v.size, v.colour_family) for v in variants] == [
        ("AMD-RED-M", "M", "red"),
        ("AMD-RED-L", "L", "red"),
    ]
    assert [v.stock.quantity for v in variants] == [5, 5]
    assert product.images.get().alt_text == "front"
    product.refresh_from_db()
    vector = str(product.search_vector)
    assert "'ankara':1A" in vector
    assert "'ada'" in vector  # brand
    assert "'maxi'" in vector  # category name
    assert "'women'" in vector  # ancestors of the category too


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": Decimal(-1)}, "price"),
        ({"price": Decimal(0)}, "price"),
        ({"price": Decimal("1.005")}, "price"),
        ({"price": "abc"}, "price"),
        ({"title": "  "}, "title"),
        ({"currency": "XYZ"}, "currency"),
        ({"category_id": 999999}, "category"),
        ({"size_system": "galactic"}, "size_system"),
        ({"variants": [spec(size="XXXXL")]}, "variants.0.size"),
        ({"variants": [spec(), spec(sku="OTHER")]}, "variants.1.size"),
        ({"variants": [spec(), spec(size="L")]}, "variants.1.sku"),
        ({"variants": [spec(sku="bad sku!")]}, "variants.0.sku"),
        ({"variants": [spec(stock=-1)]}, "variants.0.stock"),
        ({"attributes": ["not", "a", "dict"]}, "attributes"),
    ],
)
def test_invalid_products_are_refused_and_nothing_is_written(vendor, tree, change, field):
    data = {
        "vendor_id": vendor.vendor_profile.pk,
        "title": "Ankara Maxi Dress",
        "price": Decimal(25000),
        "category_id": tree["Maxi"].pk,
        "variants": [spec()],
        **change,
    }
    with pytest.raises(ValidationFailed) as error:
        services.product_create(**data)
    assert field in error.value.details
    assert not Product.objects.exists()


def test_duplicate_sku_across_products_is_a_conflict(vendor, tree):
    make_product(vendor, title="First", category=tree["Maxi"], variants=[("AMD-1", "M", "red", 1)])
    with pytest.raises(SkuTaken) as error:
        make_product(
            vendor, title="Second", category=tree["Maxi"], variants=[("amd-1", "L", "red", 1)]
        )
    assert error.value.details == {"sku": ["AMD-1"]}
    assert Product.objects.count() == 1


def test_publish_needs_a_category_and_an_active_variant(vendor):
    product = services.product_create(
        vendor_id=vendor.vendor_profile.pk, title="Bare", price=Decimal(10)
    )
    with pytest.raises(NotPublishable) as error:
        services.product_publish(product=product)
    assert set(error.value.details) == {"category", "variants"}
    assert Product.objects.get().status == "draft"


def test_publish_needs_an_active_variant_not_just_a_variant(vendor, tree):
    product = services.product_create(
        vendor_id=vendor.vendor_profile.pk,
        title="Dress",
        price=Decimal(10),
        category_id=tree["Maxi"].pk,
        variants=[spec(is_active=False), spec(sku="D-2", size="L", is_active=False)],
    )
    with pytest.raises(NotPublishable) as error:
        services.product_publish(product=product)
    assert error.value.details == {"variants": ["Add at least one active variant."]}
    assert Product.objects.get().status == "draft"


def test_a_product_on_sale_keeps_its_category(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    with pytest.raises(ValidationFailed) as error:
        services.product_update(product=product, data={"category_id": None, "title": "Renamed"})
    assert error.value.details == {"category": ["A product on sale needs a category."]}
    product.refresh_from_db()
    assert (product.category_id, product.title) == (tree["Maxi"].pk, "Dress")
    draft = make_product(vendor, title="Draft", category=tree["Maxi"], publish=False)
    assert services.product_update(product=draft, data={"category_id": None}).category_id is None


def test_the_rule_reads_the_status_of_the_locked_row(vendor, tree):
    product = make_product(vendor, title="Dress", category=tree["Maxi"], publish=False,
                           variants=[("D-1", "M", "red", 1)])  # fmt: skip
    stale = Product.objects.get(pk=product.pk)  # read while still a draft
    services.product_publish(product=product)
    with pytest.raises(ValidationFailed):
        services.product_update(product=stale, data={"category_id": None})
    assert Product.objects.get(pk=product.pk).category_id == tree["Maxi"].pk


def test_publish_and_archive(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    assert product.status == "active"
    assert product.published_at is not None
    assert EventRecord.objects.filter(event_type="catalog.ProductPublished").count() == 1
    archived = services.product_archive(product=product)
    assert archived.status == "archived"
    republished = services.product_publish(product=archived)
    assert republished.published_at == product.published_at  # first publication kept


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


def test_stock_cannot_go_below_allocated(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 5)]
    )
    variant = product.variants.get()
    Stock.objects.filter(variant=variant).update(allocated=3)
    with pytest.raises(BelowAllocated) as error:
        stock_set(variant_id=variant.pk, quantity=2)
    assert error.value.details == {"allocated": 3, "quantity": 2}
    assert stock_set(variant_id=variant.pk, quantity=3).available == 0
    with pytest.raises(ValidationFailed):
        stock_set(variant_id=variant.pk, quantity=-1)


def test_images_add_reorder_remove(vendor, tree):
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    first = services.image_add(product=product, url="https://img.example/a.jpg")
    second = services.image_add(product=product, url="https://img.example/b.jpg", alt_text="back")
    assert (first.position, second.position) == (0, 1)
    reordered = services.image_reorder(product=product, image_ids=[second.pk, first.pk])
    assert [i.pk for i in reordered] == [second.pk, first.pk]
    with pytest.raises(ValidationFailed):
        services.image_reorder(product=product, image_ids=[second.pk])
    with pytest.raises(ValidationFailed):
        services.image_add(product=product, url="javascript:alert(1)")
    services.image_remove(image=first)
    assert list(product.images.values_list("pk", flat=True)) == [second.pk]


def test_update_refreshes_the_search_vector(vendor, tree):
    product = make_product(
        vendor, title="Plain Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    services.product_update(product=product, data={"title": "Aso-oke Gown"})
    product.refresh_from_db()
    assert "'aso'" in str(product.search_vector)
    assert "'plain'" not in str(product.search_vector)


def test_html_and_sql_in_text_are_stored_verbatim(vendor, tree):
    title = "<b>Dress</b>'; DROP TABLE catalog_product;--"
    product = make_product(
        vendor, title=title, category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    assert Product.objects.get(pk=product.pk).title == title
    assert ProductVariant.objects.count() == 1


def test_an_update_that_changes_nothing_writes_nothing(vendor, tree):
    product = make_product(vendor, title="Dress", category=tree["Maxi"], publish=False)
    Product.objects.filter(pk=product.pk).update(search_vector=None)
    before = Product.objects.get(pk=product.pk).updated_at
    services.product_update(
        product=product, data={"title": "Dress", "category_id": tree["Maxi"].pk}
    )
    after = Product.objects.get(pk=product.pk)
    assert (after.updated_at, after.search_vector) == (before, None)


def test_an_update_refuses_keys_it_does_not_know(vendor, tree):
    product = make_product(vendor, title="Dress", category=tree["Maxi"], publish=False)
    with pytest.raises(ValueError, match="status"):
        services.product_update(product=product, data={"status": "active"})  # type: ignore[typeddict-unknown-key]
    assert Product.objects.get(pk=product.pk).status == Product.Status.DRAFT
