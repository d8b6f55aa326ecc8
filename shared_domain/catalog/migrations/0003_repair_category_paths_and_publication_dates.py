"""Make existing rows meet the constraints of the next migration: every category has
the path of its place in the tree (rows written around the services could have an
empty or stale one, or even a parent loop, which is broken at the looping node), and
every product on sale has a publication date."""

from typing import Any

from django.db import migrations
from django.db.models import F


def repair(apps: Any, schema_editor: Any) -> None:
    from shared_domain.catalog.search_index import search_vectors_refresh

    category_model = apps.get_model("catalog", "Category")
    product_model = apps.get_model("catalog", "Product")
    categories = {c.pk: c for c in category_model.objects.order_by("pk")}
    paths: dict[int, str] = {}
    detached: set[int] = set()

    def path_of(pk: int, below: frozenset[int]) -> str:
        if pk not in paths:
            parent = categories[pk].parent_id
            if parent == pk or parent in below:  # a loop: break it here
                categories[pk].parent_id = parent = None
                detached.add(pk)
            prefix = "/" if parent is None else path_of(parent, below | {pk})
            paths[pk] = f"{prefix}{pk}/"
        return paths[pk]

    changed = []
    for pk, category in categories.items():
        path = path_of(pk, frozenset())
        depth = path.count("/") - 2
        if (category.path, category.depth) != (path, depth) or pk in detached:
            category.path, category.depth = path, depth
            changed.append(category)
    if changed:
        category_model.objects.bulk_update(changed, ["path", "depth", "parent"])
        search_vectors_refresh(
            product_model.objects.filter(category__in=changed).values_list("pk", flat=True)
        )
    product_model.objects.filter(status="active", published_at__isnull=True).update(
        published_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_backfill_search_vectors")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
