"""Shapes of the v1 analytics endpoints: report requests and the vendor's settings."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shared_domain.analytics.reports import STAFF_KINDS, VENDOR_KINDS
from shared_domain.analytics.services import LOW_STOCK_THRESHOLD_MAX
from sync_service.api.strict import StrictSerializer

PERIOD_HELP = "7d, 30d (default) or 90d, ending today (UTC); or give `from` and `to`."


class _PeriodIn(StrictSerializer):
    # Checked by the domain (one set of rules and messages with the dashboard).
    period = serializers.CharField(required=False, help_text=PERIOD_HELP)
    granularity = serializers.CharField(
        required=False, help_text="Time buckets of the series: day (default), week, month."
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # `from` is a Python keyword: declare the body names here.
        fields["from"] = serializers.CharField(
            required=False, help_text="First day, YYYY-MM-DD (included)."
        )
        fields["to"] = serializers.CharField(
            required=False, help_text="Last day, YYYY-MM-DD (included); at most a year."
        )
        return fields


class VendorReportIn(_PeriodIn):
    kind = serializers.CharField(
        help_text=f"One of {', '.join(VENDOR_KINDS)}. Stock reports are a snapshot of now "
        "and ignore the period."
    )


class StaffReportIn(_PeriodIn):
    kind = serializers.CharField(
        required=False, default="platform", help_text=f"{', '.join(STAFF_KINDS)} (default)."
    )


class ReportQueuedOut(serializers.Serializer[Any]):
    task_id = serializers.CharField(help_text="Follow it at `status_url`.")
    report_id = serializers.IntegerField()
    status_url = serializers.CharField(help_text="GET /api/v1/tasks/{task_id}.")


class AnalyticsSettingsIn(StrictSerializer):
    low_stock_threshold = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        max_value=LOW_STOCK_THRESHOLD_MAX,
        help_text="Units available at or below which a variant is low stock; null goes back "
        "to the platform default.",
    )


class AnalyticsSettingsOut(serializers.Serializer[Any]):
    low_stock_threshold = serializers.IntegerField(help_text="The threshold in force.")
    default = serializers.BooleanField(help_text="True when it is the platform default.")
