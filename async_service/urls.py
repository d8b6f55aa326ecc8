from django.urls import path

from async_service.api import api
from shared_domain.web.metrics import metrics_view

api_urlpatterns = [path("api/v2/", api.urls)]

urlpatterns = [
    *api_urlpatterns,
    # Scraped on the service's own port; the ingress routes only /api/v1 and /api/v2.
    path("metrics", metrics_view, name="metrics"),
]

handler400 = "shared_domain.web.http.bad_request"
handler403 = "shared_domain.web.http.permission_denied"
handler404 = "shared_domain.web.http.page_not_found"
handler500 = "shared_domain.web.http.server_error"
