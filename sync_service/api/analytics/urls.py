from django.urls import path

from sync_service.api.analytics import views

urlpatterns = [
    path("vendor/reports", views.VendorReportsApi.as_view(), name="vendor-reports"),
    path("staff/reports", views.StaffReportsApi.as_view(), name="staff-reports"),
    path("reports/files/<str:token>", views.ReportFileApi.as_view(), name="report-file"),
    path(
        "vendor/analytics-settings",
        views.VendorAnalyticsSettingsApi.as_view(),
        name="vendor-analytics-settings",
    ),
]
