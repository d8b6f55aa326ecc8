"""Partial updates: one helper for every `<entity>_update` service.

A service takes the fields the caller sent as a mapping (absent key = leave as is, so
None can still mean "clear"), checks them, and hands the clean values here:

    changed = model_update(instance=product, fields=PRODUCT_UPDATE_FIELDS, data=clean)
    if changed & {"title", "description"}:
        search_vectors_refresh([product.pk])

Only fields whose value really changed are written (`save(update_fields=...)`, with
`updated_at` when the model has one), so concurrent updates of other fields are not
overwritten with stale values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db.models import Model


def model_update[M: Model](
    *, instance: M, fields: Collection[str], data: Mapping[str, Any]
) -> frozenset[str]:
    """Set on `instance` the `fields` present in `data`; save those that changed.

    Returns the names of the changed fields (empty: nothing was written). A key of
    `data` outside `fields` is a programming error (ValueError), never silently
    dropped or written.
    """
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"not updatable on {type(instance).__name__}: {sorted(unknown)}")
    changed = []
    for name in fields:
        if name not in data:
            continue
        # Compare on the attribute the field stores (`category_id` for `category`), so
        # assigning an equal related object does not count as a change.
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        new = data[name]
        new_raw = new.pk if isinstance(new, Model) and attname != name else new
        if getattr(instance, attname) != new_raw:
            setattr(instance, name, new)
            changed.append(name)
    if changed:
        update_fields = list(changed)
        if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    return frozenset(changed)
