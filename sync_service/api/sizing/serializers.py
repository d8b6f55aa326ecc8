"""Shapes of the vendor size charts on v1. The rules (ranges ordered, sizes unique,
the category exists) are the sizing services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from shared_domain.sizing.measurements import CHART_MEASUREMENTS, CHART_RANGE_MAX, FIT_PREFERENCES
from sync_service.api.strict import StrictSerializer


def _cm_in() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=CHART_RANGE_MAX,
        required=False,
        allow_null=True,
    )


# `label` is declared in get_fields: as a class attribute it would shadow Field.label.
class SizeRowIn(StrictSerializer):
    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["label"] = serializers.CharField(max_length=20)
        for name in CHART_MEASUREMENTS:
            fields[f"{name}_min"] = _cm_in()
            fields[f"{name}_max"] = _cm_in()
        return fields


class SizeChartIn(StrictSerializer):
    name = serializers.CharField(max_length=100)
    brand = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    category = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    fit_type = serializers.ChoiceField(FIT_PREFERENCES, required=False, default="regular")
    ease_cm = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, default=Decimal(0)
    )
    rows = SizeRowIn(many=True, help_text="The sizes, smallest first.")


class SizeRowOut(serializers.Serializer[Any]):
    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["label"] = serializers.CharField()
        for name in CHART_MEASUREMENTS:
            fields[f"{name}_min"] = serializers.FloatField(allow_null=True)
            fields[f"{name}_max"] = serializers.FloatField(allow_null=True)
        return fields


class SizeChartOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    brand = serializers.CharField()
    category = serializers.IntegerField(source="category_id", allow_null=True)
    fit_type = serializers.CharField()
    ease_cm = serializers.FloatField()
    # Prefetched with the chart, smallest first (the rows' default ordering).
    rows = SizeRowOut(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
