"""The catalog's staff pages write through the catalog services: category paths and
the cached tree, search vectors, publication dates, variants' colour families and
stock stay right, refused rules are shown, and edits are audited."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from shared_domain.catalog.models import Category, Product, ProductVariant
from shared_domain.catalog.selectors import category_descendant_ids, category_tree
from shared_domain.common.models import AuditLog
from shared_domain.inventory.models import Stock
from tests.factories import StaffFactory, VendorFactory, category_tree_fixture, make_product

pytestmark = pytest.mark.django_db

ADMIN = "/api/v1/admin/catalog"


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory.create(is_superuser=True))
    return client


@pytest.fixture
def tree(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return category_tree_fixture()


@pytest.fixture
def product(tree):
    return make_product(VendorFactory.create(), title="Wrap Dress", category=tree["Maxi"],
                        brand="Ada Styles", variants=[("WD-1", "M", "red", 4)])  # fmt: skip


def names(nodes):
    return {node["name"]: names(node["children"]) for node in nodes}


def category_form(category=None, **changes):
    data = {"name": "", "parent": "", "position": "0"}
    if category is not None:
        data |= {"name": category.name, "parent": category.parent_id or "",
                 "position": category.position}  # fmt: skip
    return {**data, **changes}


def product_form(product, **changes):
    variants = list(product.variants.order_by("position", "id"))
    images = list(product.images.order_by("position", "id"))
    data = {
        "title": product.title, "description": product.description, "brand": product.brand,
        "department": product.department, "category": product.category_id or "",
        "base_price": str(product.base_price), "currency": product.currency,
        "attributes": json.dumps(product.attributes),
        "initial-attributes": json.dumps(product.attributes),  # as the page posts it back
        "variants-TOTAL_FORMS": len(variants), "variants-INITIAL_FORMS": len(variants),
        "variants-MIN_NUM_FORMS": 0, "variants-MAX_NUM_FORMS": 1000,
        "images-TOTAL_FORMS": len(images), "images-INITIAL_FORMS": len(images),
        "images-MIN_NUM_FORMS": 0, "images-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for n, variant in enumerate(variants):
        data |= {
            f"variants-{n}-id": variant.pk, f"variants-{n}-product": product.pk,
            f"variants-{n}-size": variant.size, f"variants-{n}-colour": variant.colour,
            f"variants-{n}-price_override": variant.price_override or "",
            f"variants-{n}-is_active": "on" if variant.is_active else "",
        }  # fmt: skip
    for n, image in enumerate(images):
        data |= {f"images-{n}-id": image.pk, f"images-{n}-product": product.pk}
    data |= changes
    return {key: value for key, value in data.items() if value != ""}


# ---------------------------------------------------------------------- categories
def test_adding_a_category_writes_its_path_and_refreshes_the_tree(
    staff_client, tree, django_capture_on_commit_callbacks
):
    category_tree()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"{ADMIN}/category/add/", category_form(name="Kaftans", parent=tree["Women"].pk)
        )
    assert response.status_code == 302, response.content[:3000]
    kaftans = Category.objects.get(name="Kaftans")
    assert (kaftans.path, kaftans.depth) == (f"{tree['Women'].path}{kaftans.pk}/", 1)
    assert kaftans.slug == "women-kaftans"
    assert category_descendant_ids(str(kaftans.pk)) == [kaftans.pk]
    assert "Kaftans" in names(category_tree())["Women"]
    assert AuditLog.objects.filter(action="staff_create", subject_id=str(kaftans.pk)).exists()


def test_moving_a_category_in_the_admin_carries_its_subtree(
    staff_client, tree, product, django_capture_on_commit_callbacks
):
    category_tree()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"{ADMIN}/category/{tree['Dresses'].pk}/change/",
            category_form(tree["Dresses"], parent=tree["Men"].pk),
        )
    assert response.status_code == 302, response.content[:3000]
    maxi = Category.objects.get(pk=tree["Maxi"].pk)
    assert maxi.path == f"{tree['Men'].path}{tree['Dresses'].pk}/{maxi.pk}/"
    assert names(category_tree())["Men"] == {"Shirts": {}, "Dresses": {"Maxi": {}}}
    product.refresh_from_db()
    assert "'men'" in str(product.search_vector)
    assert "'women'" not in str(product.search_vector)
    edit = AuditLog.objects.get(action="staff_edit", subject_id=str(tree["Dresses"].pk))
    assert edit.data == {"fields": ["parent"]}


def test_a_category_cannot_be_moved_under_its_subcategory(staff_client, tree):
    response = staff_client.post(
        f"{ADMIN}/category/{tree['Dresses'].pk}/change/",
        category_form(tree["Dresses"], parent=tree["Maxi"].pk),
    )
    assert response.status_code == 200
    assert "cannot move under itself or its subcategories" in response.content.decode()
    assert Category.objects.get(pk=tree["Dresses"].pk).path == tree["Dresses"].path


def test_deleting_a_category_in_the_admin_refreshes_the_tree(
    staff_client, tree, django_capture_on_commit_callbacks
):
    category_tree()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"{ADMIN}/category/{tree['Tops'].pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Category.objects.filter(pk=tree["Tops"].pk).exists()
    assert "Tops" not in names(category_tree())["Women"]


# ---------------------------------------------------------------------- products
def test_the_catalog_pages_render(staff_client, tree, product):
    product.images.create(url="https://img.example/1.jpg")
    for url in (
        f"{ADMIN}/category/", f"{ADMIN}/category/add/", f"{ADMIN}/category/{tree['Maxi'].pk}/change/",
        f"{ADMIN}/product/", f"{ADMIN}/product/{product.pk}/change/",
    ):  # fmt: skip
        assert staff_client.get(url).status_code == 200, url


def test_editing_a_product_refreshes_its_search_vector(staff_client, product):
    response = staff_client.post(
        f"{ADMIN}/product/{product.pk}/change/",
        product_form(product, title="Aso-oke Wrap Gown", base_price="27000.00"),
    )
    assert response.status_code == 302, response.content[:3000]
    product.refresh_from_db()
    assert (product.title, product.base_price) == ("Aso-oke Wrap Gown", Decimal("27000.00"))
    assert "'aso'" in str(product.search_vector)
    edit = AuditLog.objects.get(action="staff_edit", subject_id=str(product.pk))
    assert edit.data == {"fields": ["base_price", "title"]}


def test_the_status_is_not_a_form_field_and_actions_apply_the_publishing_rules(staff_client, tree):
    draft = make_product(VendorFactory.create(), title="Bare Draft", category=None, publish=False)
    staff_client.post(f"{ADMIN}/product/{draft.pk}/change/", product_form(draft, status="active"))
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == ("draft", None)
    action = {"action": "publish", "_selected_action": [draft.pk]}
    response = staff_client.post(f"{ADMIN}/product/", action, follow=True)
    assert "Choose a category" in response.content.decode()
    assert Product.objects.get(pk=draft.pk).status == "draft"
    Product.objects.filter(pk=draft.pk).update(category=tree["Maxi"])
    ProductVariant.objects.create(product=draft, sku="BD-1", size="M", colour="red",
                                  colour_family="red")  # fmt: skip
    staff_client.post(f"{ADMIN}/product/", action)
    draft.refresh_from_db()
    assert draft.status == "active"
    assert draft.published_at is not None


def test_removing_the_category_of_a_product_on_sale_is_refused(staff_client, product):
    url = f"{ADMIN}/product/{product.pk}/change/"
    response = staff_client.post(url, product_form(product, category=""), follow=True)
    assert "A product on sale needs a category" in response.content.decode()
    product.refresh_from_db()
    assert product.category_id is not None


def test_variant_edits_go_through_the_variant_service(staff_client, product):
    response = staff_client.post(
        f"{ADMIN}/product/{product.pk}/change/",
        product_form(product, **{"variants-0-colour": "Navy", "variants-0-size": "l"}),
    )
    assert response.status_code == 302, response.content[:3000]
    variant = product.variants.get()
    assert (variant.size, variant.colour, variant.colour_family) == ("L", "Navy", "blue")
    product.refresh_from_db()
    assert "'navi'" in str(product.search_vector)
    off = staff_client.post(
        f"{ADMIN}/product/{product.pk}/change/",
        product_form(product, **{"variants-0-is_active": ""}),
        follow=True,
    )
    assert "last active variant" in off.content.decode()
    assert product.variants.get().is_active


def test_variants_cannot_be_added_in_the_admin(staff_client, product):
    form = product_form(product, **{
        "variants-TOTAL_FORMS": 2, "variants-1-product": product.pk, "variants-1-sku": "WD-2",
        "variants-1-size": "L", "variants-1-colour": "Teal", "variants-1-is_active": "on",
    })  # fmt: skip
    staff_client.post(f"{ADMIN}/product/{product.pk}/change/", form)
    assert list(product.variants.values_list("sku", flat=True)) == ["WD-1"]
    assert Stock.objects.filter(variant__product=product).count() == 1
    assert staff_client.get(f"{ADMIN}/product/add/").status_code == 403


def test_images_can_be_removed_in_the_admin(staff_client, product):
    image = product.images.create(url="https://img.example/1.jpg", position=0)
    staff_client.post(
        f"{ADMIN}/product/{product.pk}/change/", product_form(product, **{"images-0-DELETE": "on"})
    )
    assert not product.images.filter(pk=image.pk).exists()


def test_reviews_are_shown_read_only(staff_client, product):
    from shared_domain.catalog.services import review_add

    review = review_add(product_id=product.pk, author_id=StaffFactory.create().pk,
                        order_item_id=1, rating=4, text="Fits well")  # fmt: skip
    assert staff_client.get(f"{ADMIN}/review/").status_code == 200
    page = staff_client.get(f"{ADMIN}/review/{review.pk}/change/")
    assert page.status_code == 200
    assert b"Fits well" in page.content
    assert staff_client.get(f"{ADMIN}/review/add/").status_code == 403
    staff_client.post(f"{ADMIN}/review/{review.pk}/delete/", {"post": "yes"})
    assert product.reviews.count() == 1
