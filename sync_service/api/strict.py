"""Input serializers that refuse what they do not expect: unknown fields (a typo, or a
field a client must not set, like `role` on a profile update) and numbers or lists
where text is expected (DRF would quietly turn 123456 into "123456"). Both are 400s."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictSerializer(serializers.Serializer[Any]):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            problems: dict[str, list[str]] = {
                name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))
            }
            for name, field in self.fields.items():
                value = data.get(name)
                if (
                    isinstance(field, serializers.CharField)
                    and value is not None
                    and not isinstance(value, str)
                ):
                    problems[name] = ["Expected text."]
            if problems:
                raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """The validated data of `data` (a body or query parameters); a 400 otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    result: dict[str, Any] = serializer.validated_data
    return result
