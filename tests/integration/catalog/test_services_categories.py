"""The category tree: paths written with the row, moves and renames that carry the
subtree, the search vectors below and the cached tree along, and deletions."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from shared_domain.catalog import services
from shared_domain.catalog.models import Category
from shared_domain.catalog.selectors import category_descendant_ids, category_tree
from shared_domain.common.errors import Conflict, ValidationFailed
from tests.factories import VendorFactory, category_tree_fixture, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return category_tree_fixture()


def names(nodes):
    return {node["name"]: names(node["children"]) for node in nodes}


def test_a_category_is_written_with_its_path(tree):
    maxi = tree["Maxi"]
    assert (maxi.path, maxi.depth) == (
        f"/{tree['Women'].pk}/{tree['Dresses'].pk}/{maxi.pk}/",
        2,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="Pathless", slug="pathless")


def test_a_move_carries_the_subtree_the_search_vectors_and_the_cached_tree(
    tree, django_capture_on_commit_callbacks
):
    product = make_product(VendorFactory.create(), title="Flowing Gown", category=tree["Maxi"],
                           variants=[("FG-1", "M", "red", 1)])  # fmt: skip
    category_tree()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.category_update(category=tree["Dresses"], data={"parent": tree["Men"]})
    maxi = Category.objects.get(pk=tree["Maxi"].pk)
    assert moved.path == f"/{tree['Men'].pk}/{moved.pk}/"
    assert (maxi.path, maxi.depth) == (f"{moved.path}{maxi.pk}/", 2)
    assert tree["Maxi"].pk not in category_descendant_ids(str(tree["Women"].pk))
    assert tree["Maxi"].pk in category_descendant_ids("men")
    assert names(category_tree())["Men"] == {"Shirts": {}, "Dresses": {"Maxi": {}}}
    product.refresh_from_db()
    assert "'men'" in str(product.search_vector)
    assert "'women'" not in str(product.search_vector)


def test_a_rename_refreshes_the_products_below(tree, django_capture_on_commit_callbacks):
    product = make_product(VendorFactory.create(), title="Flowing Gown", category=tree["Maxi"],
                           variants=[("FG-1", "M", "red", 1)])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.category_update(category=tree["Women"], data={"name": "Ladies", "position": 3})
    product.refresh_from_db()
    assert "'ladi'" in str(product.search_vector)
    assert "Ladies" in names(category_tree())


@pytest.mark.parametrize("target", ["Dresses", "Maxi"])
def test_a_category_cannot_move_under_itself_or_below(tree, target):
    with pytest.raises(ValidationFailed) as error:
        services.category_update(category=tree["Dresses"], data={"parent": tree[target]})
    assert list(error.value.details) == ["parent"]
    assert Category.objects.get(pk=tree["Dresses"].pk).parent_id == tree["Women"].pk


def test_names_are_unique_among_siblings(tree):
    with pytest.raises(ValidationFailed) as error:
        services.category_create(name="Tops", parent=tree["Women"])
    assert list(error.value.details) == ["name"]
    with pytest.raises(ValidationFailed):
        services.category_update(category=tree["Tops"], data={"name": "Dresses"})


def test_only_empty_leaves_are_deleted(tree, django_capture_on_commit_callbacks):
    make_product(VendorFactory.create(), title="Shirt", category=tree["Shirts"], publish=False)
    for category in ("Women", "Shirts"):
        with pytest.raises(Conflict):
            services.category_delete(category=tree[category])
    category_tree()  # cached
    with django_capture_on_commit_callbacks(execute=True):
        services.category_delete(category=tree["Tops"])
    assert "Tops" not in names(category_tree())["Women"]
