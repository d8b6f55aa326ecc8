from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shared_domain.analytics.admin import platform_report_view
from shared_domain.web.metrics import metrics_view
from sync_service.api import schema  # noqa: F401 - registers the OpenAPI auth extension
from sync_service.api.health import HealthzApi, ReadyzApi
from sync_service.api.tasks import TaskStatusApi

admin.site.site_header = "Fashionistar staff"
admin.site.site_title = "Fashionistar staff"

urlpatterns = [
    path("api/v1/healthz", HealthzApi.as_view(), name="healthz"),
    path("api/v1/readyz", ReadyzApi.as_view(), name="readyz"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path(
        "api/v1/admin/analytics/platform-report/",
        admin.site.admin_view(platform_report_view),
        name="analytics-platform-report",
    ),
    path("api/v1/admin/", admin.site.urls),
    path("api/v1/", include("sync_service.api.accounts.urls")),
    path("api/v1/", include("sync_service.api.catalog.urls")),
    path("api/v1/", include("sync_service.api.backoffice.urls")),
    path("api/v1/", include("sync_service.api.sizing.urls")),
    path("api/v1/", include("sync_service.api.shipping.urls")),
    path("api/v1/", include("sync_service.api.orders.urls")),
    path("api/v1/", include("sync_service.api.payments.urls")),
    path("api/v1/", include("sync_service.api.analytics.urls")),
    path("api/v1/tasks/<str:task_id>", TaskStatusApi.as_view(), name="task-status"),
    # Scraped on the service's own port; the ingress routes only /api/v1 and /api/v2.
    path("metrics", metrics_view, name="metrics"),
]

handler400 = "shared_domain.web.http.bad_request"
handler403 = "shared_domain.web.http.permission_denied"
handler404 = "shared_domain.web.http.page_not_found"
handler500 = "shared_domain.web.http.server_error"
