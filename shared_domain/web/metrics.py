"""The Prometheus scrape endpoint of the HTTP services (`/metrics` on each service's
own port). The metrics themselves live in shared_domain.common.metrics."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST

from shared_domain.common.metrics import render_latest


def metrics_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_latest(), content_type=CONTENT_TYPE_LATEST)
