"""Staff view of analytics in the admin: the platform report page (the figures of the
staff report, with its chart drawn on the server as inline SVG: no script, no CDN, so
the admin's CSP holds), linked from the admin index. Its URL is wired by the v1
URLconf (`platform_report_view` behind `admin.site.admin_view`)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

from shared_domain.analytics import figures
from shared_domain.analytics.charts import gross_series_svg
from shared_domain.analytics.selectors import dashboard_period
from shared_domain.common.errors import ValidationFailed

PERIOD_CHOICES = (("7d", "Last 7 days"), ("30d", "Last 30 days"), ("90d", "Last 90 days"))


def _chart(report: figures.PlatformReport) -> str:
    return gross_series_svg(
        title=f"GMV by {report.granularity}", label="GMV", start=report.period.start,
        end=report.period.end, granularity=report.granularity, points=report.series,
    )  # fmt: skip


def platform_report_view(request: HttpRequest) -> HttpResponse:
    """The platform report over `period` (7d/30d/90d) or `from`/`to`, by `granularity`;
    bad input is shown on the page, never a 500."""
    query = request.GET
    problem = ""
    try:
        period = dashboard_period(
            period=query.get("period") or None,
            start=query.get("from") or None,
            end=query.get("to") or None,
        )
        granularity = figures.report_granularity(query.get("granularity") or None)
    except ValidationFailed as exc:
        problem = exc.message
        period = dashboard_period(period="30d", start=None, end=None)
        granularity = "day"
    report = figures.platform_report(period=period, granularity=granularity)
    context = {
        **admin.site.each_context(request),
        "title": "Platform report",
        "report": report,
        "problem": problem,
        "periods": PERIOD_CHOICES,
        "granularities": figures.GRANULARITIES,
        "failure_percent": f"{report.payments.failure_rate * 100:.1f}",
        # Built from numbers and escaped labels only (charts.series_svg).
        "chart": mark_safe(_chart(report)),  # noqa: S308  # nosec B308 B703
    }
    return TemplateResponse(request, "admin/analytics/platform_report.html", context)
