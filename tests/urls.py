"""Both APIs' routes in one URLconf, plus probe endpoints that exist only to test the
shared request/error machinery (body parsing, validation, error rendering)."""

from django.urls import path

from async_service.urls import api_urlpatterns as v2_urlpatterns
from sync_service.urls import urlpatterns as v1_urlpatterns
from tests import probes

urlpatterns = [
    *v1_urlpatterns,
    *v2_urlpatterns,
    path("probe/v1/echo", probes.EchoApi.as_view()),
    path("probe/v2/", probes.probe_api.urls),
]

handler400 = "shared_domain.web.http.bad_request"
handler403 = "shared_domain.web.http.permission_denied"
handler404 = "shared_domain.web.http.page_not_found"
handler500 = "shared_domain.web.http.server_error"
