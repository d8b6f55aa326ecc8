from django.urls import URLPattern, URLResolver, path

from async_service.api import api
from shared_domain.web.http import allow_head
from shared_domain.web.metrics import metrics_view


def _with_head(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """HEAD wherever GET works (Ninja itself answers HEAD with 405)."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = allow_head(pattern.callback)
        else:
            _with_head(pattern.url_patterns)
    return patterns


_api_patterns, _app_name, _namespace = api.urls
api_urlpatterns = [path("api/v2/", (_with_head(_api_patterns), _app_name, _namespace))]

urlpatterns = [
    *api_urlpatterns,
    # Scraped on the service's own port; the ingress routes only /api/v1 and /api/v2.
    path("metrics", metrics_view, name="metrics"),
]

handler400 = "shared_domain.web.http.bad_request"
handler403 = "shared_domain.web.http.permission_denied"
handler404 = "shared_domain.web.http.page_not_found"
handler500 = "shared_domain.web.http.server_error"
