from django.urls import path

from sync_service.api.sizing import views

urlpatterns = [
    path("vendor/size-charts", views.VendorSizeChartsApi.as_view(), name="vendor-size-charts"),
    path(
        "vendor/size-charts/<int:chart_id>",
        views.VendorSizeChartApi.as_view(),
        name="vendor-size-chart",
    ),
]
