"""v1 vendor size charts: a vendor's own charts only; another vendor's is 404 (its
existence is not revealed)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.sizing import selectors, services
from sync_service.api.permissions import IsVendor, current_user
from sync_service.api.schema import errors
from sync_service.api.sizing import serializers as s
from sync_service.api.strict import validated

VENDOR_ERRORS = {"e401": "not_authenticated", "e403": "permission_denied"}
MISSING = {**VENDOR_ERRORS, "e404": "not_found (also for other vendors' charts)"}


class _SizeCharts(APIView):
    permission_classes = (IsVendor,)
    auth_with_profiles = True


class VendorSizeChartsApi(_SizeCharts):
    @extend_schema(
        tags=["vendor"],
        operation_id="vendor_size_charts_list",
        responses={200: s.SizeChartOut(many=True), **errors(**VENDOR_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Your size charts, newest first."""
        vendor_id = services.size_chart_vendor(user=current_user(request))
        charts = selectors.size_chart_list_for_vendor(vendor_id=vendor_id)
        return Response(s.SizeChartOut(charts, many=True).data)

    @extend_schema(
        tags=["vendor"],
        request=s.SizeChartIn,
        responses={201: s.SizeChartOut, **errors(e400="validation_error", **VENDOR_ERRORS)},
    )
    def post(self, request: Request) -> Response:
        """Create a chart: for all your products, or only a `brand` and/or a `category`
        (with its subcategories); `rows` are the sizes, smallest first, each with
        `<measurement>_min`/`_max` in cm for chest, waist, hips, inseam, shoulder,
        length (both or neither). A product uses the most specific chart that applies."""
        vendor_id = services.size_chart_vendor(user=current_user(request))
        data = validated(s.SizeChartIn, request.data)
        chart = services.size_chart_create(vendor_id=vendor_id, data=data)
        return Response(s.SizeChartOut(chart).data, status=status.HTTP_201_CREATED)


class VendorSizeChartApi(_SizeCharts):
    @extend_schema(tags=["vendor"], responses={200: s.SizeChartOut, **errors(**MISSING)})
    def get(self, request: Request, chart_id: int) -> Response:
        """One of your size charts."""
        vendor_id = services.size_chart_vendor(user=current_user(request))
        chart = selectors.size_chart_get_for_vendor(vendor_id=vendor_id, chart_id=chart_id)
        return Response(s.SizeChartOut(chart).data)

    @extend_schema(
        tags=["vendor"],
        request=s.SizeChartIn,
        responses={200: s.SizeChartOut, **errors(e400="validation_error", **MISSING)},
    )
    def put(self, request: Request, chart_id: int) -> Response:
        """Replace a chart: its fields and all its sizes."""
        vendor_id = services.size_chart_vendor(user=current_user(request))
        chart = selectors.size_chart_get_for_vendor(vendor_id=vendor_id, chart_id=chart_id)
        data = validated(s.SizeChartIn, request.data)
        chart = services.size_chart_replace(chart=chart, data=data)
        return Response(s.SizeChartOut(chart).data)

    @extend_schema(tags=["vendor"], responses={204: None, **errors(**MISSING)})
    def delete(self, request: Request, chart_id: int) -> Response:
        """Delete a chart: its products fall back to the next chart that applies."""
        vendor_id = services.size_chart_vendor(user=current_user(request))
        chart = selectors.size_chart_get_for_vendor(vendor_id=vendor_id, chart_id=chart_id)
        services.size_chart_delete(chart=chart)
        return Response(status=status.HTTP_204_NO_CONTENT)
