"""Product writes: creation with variants, stock and images, checks, updates through
model_update, and the search vector kept current."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.catalog import services
from shared_domain.catalog.errors import SkuTaken
from shared_domain.catalog.models import Product, ProductVariant
from shared_domain.common.errors import ValidationFailed
from tests.factories import make_product

pytestmark = pytest.mark.django_db


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
