"""Writes of the category tree. A category's path holds the ids from the root down, so a
move rewrites its subtree's paths; renames and moves refresh the search vectors of the
products below (they hold their categories' names)."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils.text import slugify

from shared_domain.catalog.models import Category, Product
from shared_domain.catalog.search_index import search_vectors_refresh
from shared_domain.catalog.selectors import category_tree_invalidate
from shared_domain.catalog.services.validation import Errors, check_text, known_keys
from shared_domain.common.errors import Conflict, ValidationFailed
from shared_domain.common.partial import model_update


class CategoryChanges(TypedDict, total=False):
    name: str
    parent: Category | None
    position: int


CATEGORY_UPDATE_FIELDS = ("name", "parent", "position")


def _next_category_id() -> int:
    # The path holds the category's own id, and a category never exists without its
    # path (a CHECK): take the id before the insert.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Category._meta.db_table]
        )
        row = cursor.fetchone()
    assert row is not None  # noqa: S101 - nextval returns one row
    return int(row[0])


def _category_slug(name: str, parent: Category | None) -> str:
    base = slugify(f"{parent.slug}-{name}" if parent else name)[:110] or "category"
    slug = base
    suffix = 2
    while Category.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def _check_category_name(
    name: str, parent: Category | None, errors: Errors, *, exclude: int | None = None
) -> str:
    name = check_text(name, "name", errors, max_length=80, required=True)
    siblings = Category.objects.filter(parent=parent, name=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if name and siblings.exists():
        errors["name"] = ["A category with this name is already there."]
    return name


def _check_position(position: Any, errors: Errors) -> int:
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 2**31:
        errors["position"] = ["Enter a whole number from 0."]
        return 0
    return position


def category_parent_problems(*, category: Category, parent: Category | None) -> Errors:
    """Why `category` cannot move under `parent` (nothing: an empty dict)."""
    if parent is not None and parent.path.startswith(category.path):
        return {"parent": ["A category cannot move under itself or its subcategories."]}
    return {}


def _products_under(path: str) -> QuerySet[Product]:
    return Product.objects.filter(category__path__startswith=path)


@transaction.atomic
def category_create(*, name: str, parent: Category | None = None, position: int = 0) -> Category:
    if parent is not None:  # its path cannot change until this one is written
        parent = Category.objects.select_for_update().get(pk=parent.pk)
    errors: Errors = {}
    name = _check_category_name(name, parent, errors)
    position = _check_position(position, errors)
    if errors:
        raise ValidationFailed(details=errors)
    pk = _next_category_id()
    category = Category.objects.create(
        pk=pk,
        name=name,
        slug=_category_slug(name, parent),
        parent=parent,
        position=position,
        path=f"{parent.path if parent else '/'}{pk}/",
        depth=(parent.depth + 1) if parent else 0,
    )
    transaction.on_commit(category_tree_invalidate)
    return category


@transaction.atomic
def category_update(*, category: Category, data: CategoryChanges) -> Category:
    """Rename, reorder or move a category. A move rewrites the paths of the whole
    subtree; renames and moves refresh the search vectors of the products below (they
    hold the names of their categories and ancestors)."""
    known_keys(data, CategoryChanges)
    # Moves touch many rows and must see a tree nobody else is changing: lock it all.
    list(Category.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    locked = Category.objects.select_related("parent").get(pk=category.pk)
    new_parent = data.get("parent", locked.parent)
    if new_parent is not None:
        new_parent = Category.objects.get(pk=new_parent.pk)
    moved = (new_parent.pk if new_parent else None) != locked.parent_id
    errors: Errors = {}
    clean: dict[str, Any] = {}
    if moved:
        errors.update(category_parent_problems(category=locked, parent=new_parent))
        clean["parent"] = new_parent
    if "name" in data or moved:
        clean["name"] = _check_category_name(
            data.get("name", locked.name), new_parent, errors, exclude=locked.pk
        )
    if "position" in data:
        clean["position"] = _check_position(data["position"], errors)
    if errors:
        raise ValidationFailed(details=errors)
    if moved:
        old_path = locked.path
        new_path = f"{new_parent.path if new_parent else '/'}{locked.pk}/"
        depth = (new_parent.depth + 1) if new_parent else 0
        Category.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (depth - locked.depth),
        )
        locked.path, locked.depth = new_path, depth
    changed = model_update(instance=locked, fields=CATEGORY_UPDATE_FIELDS, data=clean)
    if changed & {"name", "parent"}:
        search_vectors_refresh(_products_under(locked.path).values_list("pk", flat=True))
    transaction.on_commit(category_tree_invalidate)
    return locked


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete a category nothing is filed under (no subcategories, no products)."""
    locked = Category.objects.select_for_update().get(pk=category.pk)
    if locked.children.exists() or locked.products.exists():
        raise Conflict("Only a category without subcategories and products can be deleted.")
    locked.delete()
    transaction.on_commit(category_tree_invalidate)
