"""v1 analytics: ask for a report (vendors: sales, low stock, inventory; staff: the
platform report), download its files through the signed links the task status gives,
and a vendor's analytics settings (the low-stock threshold)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.accounts.selectors import Account
from shared_domain.analytics import reports, selectors, services
from sync_service.api.analytics import serializers as s
from sync_service.api.permissions import IsStaff, IsVendor, current_user
from sync_service.api.schema import errors
from sync_service.api.strict import validated

REPORT_ERRORS = errors(
    e400="validation_error (kind, period, from, to, granularity: unknown, `from` after "
    "`to`, over a year)",
    e401="not_authenticated",
    e403="permission_denied",
)


def _queued(queued: reports.ReportQueued) -> Response:
    status_url = f"/api/v1/tasks/{queued.task_id}"
    body = {"task_id": queued.task_id, "report_id": queued.report_id, "status_url": status_url}
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": status_url})


def _request(request: Request, serializer: type[s._PeriodIn]) -> Response:
    user = current_user(request)
    data = validated(serializer, request.data)
    return _queued(
        reports.report_request(
            user=user,
            kind=data["kind"],
            period=data.get("period"),
            start=data.get("from"),
            end=data.get("to"),
            granularity=data.get("granularity"),
        )
    )


class VendorReportsApi(APIView):
    permission_classes = (IsVendor,)

    @extend_schema(
        operation_id="vendor_report_request",
        tags=["analytics"],
        request=s.VendorReportIn,
        responses={202: s.ReportQueuedOut, **REPORT_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Queue a report of your store: `sales` (totals, per day/week/month and per
        product over a period, with an SVG chart), `low_stock` (variants at or below
        your threshold) or `inventory` (every variant with its stock). 202 with the
        task id; `GET /api/v1/tasks/{id}` shows progress and, once done, download links."""
        return _request(request, s.VendorReportIn)


class StaffReportsApi(APIView):
    permission_classes = (IsStaff,)

    @extend_schema(
        operation_id="staff_report_request",
        tags=["analytics"],
        request=s.StaffReportIn,
        responses={202: s.ReportQueuedOut, **REPORT_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Queue the platform report: GMV, commission, refunds and net per currency,
        vendor orders by status, top vendors, payment failure rate and refunds over a
        period, per day/week/month, with an SVG chart. 202 with the task id."""
        return _request(request, s.StaffReportIn)


class ReportFileApi(APIView):
    # The signed link is the credential (it works from a browser's download); a caller
    # who also signs in must be the report's owner.
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="report_file_download",
        tags=["analytics"],
        responses={
            (200, "text/csv"): OpenApiResponse(description="The CSV (or SVG chart) file."),
            **errors(
                e403="invalid_link (altered or forged)",
                e404="not_found (not yours, or pruned)",
                e410="link_expired (ask the task status for a new link)",
            ),
        },
    )
    def get(self, request: Request, token: str) -> FileResponse:
        """A report file, through the signed link of the task status (valid
        REPORT_URL_TTL seconds)."""
        user = request.user if isinstance(request.user, Account) else None
        file = reports.report_file_open(token=token, user=user)
        response = FileResponse(
            file.handle, as_attachment=True, filename=file.filename, content_type=file.content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response


def _settings_json(vendor_id: int) -> dict[str, Any]:
    threshold, own = selectors.low_stock_threshold_setting(vendor_id=vendor_id)
    return {"low_stock_threshold": threshold, "default": not own}


class VendorAnalyticsSettingsApi(APIView):
    permission_classes = (IsVendor,)
    auth_with_profiles = True

    @extend_schema(
        operation_id="vendor_analytics_settings",
        tags=["analytics"],
        responses={200: s.AnalyticsSettingsOut, **errors(e401="not_authenticated",
                                                         e403="permission_denied")},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        """Your analytics settings: the low-stock threshold of your dashboard and
        low-stock report."""
        vendor_id = selectors.dashboard_vendor_id(user=current_user(request))
        return Response(_settings_json(vendor_id))

    @extend_schema(
        operation_id="vendor_analytics_settings_update",
        tags=["analytics"],
        request=s.AnalyticsSettingsIn,
        responses={
            200: s.AnalyticsSettingsOut,
            **errors(
                e400="validation_error (low_stock_threshold: a whole number 0-100000, or "
                "null for the default)",
                e401="not_authenticated",
                e403="permission_denied",
            ),
        },
    )
    def put(self, request: Request) -> Response:
        """Set your low-stock threshold (`null`: back to the platform default,
        ANALYTICS_LOW_STOCK_THRESHOLD)."""
        vendor_id = selectors.dashboard_vendor_id(user=current_user(request))
        data = validated(s.AnalyticsSettingsIn, request.data)
        services.low_stock_threshold_set(
            vendor_id=vendor_id, threshold=data["low_stock_threshold"]
        )
        return Response(_settings_json(vendor_id))
