"""What an output serializer gives for the read models, without running it field by
field on every object.

DRF's `Serializer.data` looks each field's attribute up through its generic
machinery (source paths, callables, `PKOnlyObject`) for every object: most of a v1
list's Python time. The read models are frozen dataclasses whose fields the output
serializers name exactly (a test keeps them equal), so a plan made once per
serializer class gets each attribute directly, keeps plain strings, integers and
booleans as they are, and asks the field to represent anything else (decimals,
datetimes) — the same values `Serializer.data` holds
(`tests/integration/api_v1/test_catalog.py` compares them)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from rest_framework import serializers

# Fields that give a value of exactly this type back unchanged (a bool is an int, so
# only an exact type match counts).
_PLAIN: dict[type, type] = {
    serializers.CharField: str,
    serializers.IntegerField: int,
    serializers.BooleanField: bool,
}

type Represent = Callable[[Any], Any]

_plans: dict[type[serializers.Serializer[Any]], Represent] = {}
_lock = threading.Lock()


def _field_plan(field: serializers.Field[Any, Any, Any, Any]) -> Represent:
    if isinstance(field, serializers.ListSerializer):
        child = _serializer_plan(field.child)  # type: ignore[arg-type]
        return lambda values: [child(v) for v in values]
    if isinstance(field, serializers.Serializer):
        return _serializer_plan(field)
    if isinstance(field, serializers.ListField):
        item = _field_plan(field.child)
        return lambda values: [item(v) for v in values]
    keep = _PLAIN.get(type(field))
    if keep is not None:
        represent = field.to_representation
        return lambda value: value if type(value) is keep else represent(value)
    return field.to_representation


def _serializer_plan(serializer: serializers.Serializer[Any]) -> Represent:
    steps: list[tuple[str, str, Represent]] = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if field.source == "*" or "." in (field.source or ""):
            # Not a plain attribute: let DRF represent the whole object.
            whole = serializer.__class__
            return lambda obj: whole(obj).data
        steps.append((name, field.source or name, _field_plan(field)))

    def represent(obj: Any) -> Any:
        if obj is None:
            return None
        out = {}
        for name, attribute, field in steps:
            value = getattr(obj, attribute)
            out[name] = None if value is None else field(value)
        return out

    return represent


def _plan(serializer_class: type[serializers.Serializer[Any]]) -> Represent:
    plan = _plans.get(serializer_class)
    if plan is None:
        with _lock:
            plan = _plans.get(serializer_class) or _serializer_plan(serializer_class())
            _plans[serializer_class] = plan
    return plan


def represent(serializer_class: type[serializers.Serializer[Any]], obj: Any) -> Any:
    """`serializer_class(obj).data`, as plain dicts and lists."""
    return _plan(serializer_class)(obj)


def represent_many(
    serializer_class: type[serializers.Serializer[Any]], objs: Iterable[Any]
) -> list[Any]:
    """`serializer_class(objs, many=True).data`, as plain dicts and lists."""
    plan = _plan(serializer_class)
    return [plan(obj) for obj in objs]
