"""Report files: asked for by vendors (sales, low stock, inventory) and staff (the
platform report), built by a task on the `analytics` queue, kept in the private
`reports` storage (STORAGES["reports"], never served as static or media) and handed
out only through short-lived signed links (REPORT_URL_TTL) to the account that asked.

CSV files are written row by row into a spooled temporary file (in memory up to a
few hundred KB, then on disk) while the rows are fetched a chunk at a time, so a
report's memory does not grow with its size. Sales and platform reports come with an
SVG chart of their time series."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from shared_domain.accounts.selectors import Account
from shared_domain.analytics import figures
from shared_domain.analytics.charts import gross_series_svg
from shared_domain.analytics.models import Report
from shared_domain.analytics.selectors import (
    Period,
    dashboard_period,
    dashboard_revenue,
    dashboard_vendor_id,
    low_stock_threshold_of,
)
from shared_domain.catalog import selectors as catalog
from shared_domain.common.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from shared_domain.common.selectors import TaskDownload, TaskExtras
from shared_domain.common.tasking import enqueue_for_user

VENDOR_KINDS = ("sales", "low_stock", "inventory")
STAFF_KINDS = ("platform",)
CHUNK_ROWS = 2000
# Below this a CSV stays in memory; above it the temporary file rolls over to disk.
SPOOL_BYTES = 256 * 1024
_SALT = "fashionistar.analytics.report-file"
_FILES = {"csv": "text/csv", "chart": "image/svg+xml"}


class LinkExpired(DomainError):
    code = "link_expired"
    http_status = 410
    default_message = "This download link has expired; ask the task status for a new one."


class InvalidLink(DomainError):
    code = "invalid_link"
    http_status = 403
    default_message = "This download link is not valid."


def reports_storage() -> Storage:
    return storages["reports"]


# ------------------------------------------------------------------ asking for one
@dataclass(frozen=True)
class ReportQueued:
    report_id: int
    task_id: str


def _period_params(
    *, kind: str, period: str | None, start: str | None, end: str | None, granularity: str | None
) -> dict[str, str]:
    if kind in ("low_stock", "inventory"):
        # Stock reports are a snapshot of now: a period has no meaning there.
        return {}
    window = dashboard_period(period=period, start=start, end=end)
    return {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "granularity": figures.report_granularity(granularity),
    }


def _queue(report: Report, user: Account) -> ReportQueued:
    from shared_domain.analytics.tasks import build_report

    result = enqueue_for_user(build_report, user.pk, report_id=report.pk)
    Report.objects.filter(pk=report.pk).update(task_id=str(result.id))
    return ReportQueued(report_id=report.pk, task_id=str(result.id))


def report_request(
    *,
    user: Account,
    kind: str,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    granularity: str | None = None,
) -> ReportQueued:
    """Queue a report of the caller's store (vendors) or of the platform (staff:
    kind `platform`). The row is committed before the task is queued, so a worker
    (on any backend) always finds it."""
    if kind in STAFF_KINDS:
        if not getattr(user, "is_platform_staff", False):
            raise PermissionDenied("Only staff can ask for the platform report.")
        vendor_id = None
    elif kind in VENDOR_KINDS:
        vendor_id = dashboard_vendor_id(user=user)
    else:
        raise ValidationFailed(
            details={"kind": [f"One of {', '.join(VENDOR_KINDS + STAFF_KINDS)}."]},
            message=f"Unknown report kind {kind!r}.",
        )
    params = _period_params(
        kind=kind, period=period, start=start, end=end, granularity=granularity
    )
    report = Report.objects.create(owner_id=user.pk, vendor_id=vendor_id, kind=kind, params=params)
    return _queue(report, user)


# ------------------------------------------------------------------ writing files
def _cell(value: Any) -> Any:
    """Text a vendor typed (a product title) could start a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            Decimal(value)  # a negative amount stays a number
        except ArithmeticError:
            return "'" + value
    return value


def csv_store(
    *,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
    every: int = CHUNK_ROWS,
    storage: Storage | None = None,
) -> int:
    """Write `rows` as CSV to `name` in the reports storage, streaming: each row goes
    to a spooled temporary file as it comes (memory bounded by SPOOL_BYTES, not by the
    number of rows), then the file is copied to the storage in chunks. Replaces a file
    of that name (a task run twice writes the same name). Returns the rows written."""
    storage = storage or reports_storage()
    written = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
        text.flush()
        text.detach()
        raw.seek(0)
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, File(raw, name=name))
    return written


def _svg_store(name: str, svg: str) -> None:
    storage = reports_storage()
    if storage.exists(name):
        storage.delete(name)
    storage.save(name, ContentFile(svg.encode()))


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _period_of(report: Report) -> Period:
    return Period(
        dt.date.fromisoformat(report.params["start"]), dt.date.fromisoformat(report.params["end"])
    )


def _chart(report: Report, title: str, points: list[figures.SeriesPoint]) -> str:
    period, granularity = _period_of(report), report.params["granularity"]
    return gross_series_svg(
        title=f"{title}, {period.start} to {period.end} (by {granularity})", label="gross",
        start=period.start, end=period.end, granularity=granularity, points=points,
    )  # fmt: skip


SALES_HEADER = (
    "section", "start", "product_id", "title", "currency", "units", "orders_placed",
    "orders_paid", "orders_cancelled", "gross", "commission", "refunded", "net",
)  # fmt: skip
LOW_STOCK_HEADER = (*(f.name for f in fields(catalog.LowStockVariant)), "threshold")
INVENTORY_HEADER = tuple(f.name for f in fields(catalog.InventoryRow))
PLATFORM_HEADER = ("section", "name", "currency", "value")


def _sales_rows(
    vendor_id: int, report: Report, points: list[figures.SeriesPoint]
) -> Iterable[Sequence[Any]]:
    period = _period_of(report)
    for r in dashboard_revenue(vendor_id=vendor_id, period=period):
        money = (_money(r.gross), _money(r.commission), _money(r.refunded), _money(r.net))
        yield ("total", period.start, "", "", r.currency, "", "", r.paid_orders, "", *money)
    for p in points:
        money = (_money(p.gross), _money(p.commission), _money(p.refunded), _money(p.net))
        counts = (p.placed, p.paid, p.cancelled)
        yield (report.params["granularity"], p.start, "", "", p.currency, "", *counts, *money)
    for product in figures.product_sales_iter(
        vendor_id=vendor_id, period=period, chunk_size=CHUNK_ROWS
    ):
        yield (
            "product", period.start, product.product_id, product.title, product.currency,
            product.units, "", "", "", _money(product.revenue), "", "", "",
        )  # fmt: skip


def _platform_rows(data: figures.PlatformReport) -> Iterable[Sequence[Any]]:
    for r in data.revenue:
        yield ("total", "gmv", r.currency, _money(r.gross))
        yield ("total", "commission", r.currency, _money(r.commission))
        yield ("total", "refunded", r.currency, _money(r.refunded))
        yield ("total", "net_to_vendors", r.currency, _money(r.net))
        yield ("total", "paid_orders", r.currency, r.paid_orders)
        yield ("total", "average_order_value", r.currency, _money(r.average_order_value))
    for status, count in data.orders_by_status.items():
        yield ("orders", status, "", count)
    for rank, vendor in enumerate(data.top_vendors, start=1):
        name = f"{rank}. {vendor.name} (#{vendor.vendor_id})"
        yield ("top_vendor", name, vendor.currency, _money(vendor.gross))
    outcomes = data.payments
    yield ("payments", "succeeded", "", outcomes.succeeded)
    yield ("payments", "failed", "", outcomes.failed)
    yield ("payments", "failure_rate", "", f"{outcomes.failure_rate:.4f}")
    yield ("payments", "refunds_succeeded", "", outcomes.refunds)
    for p in data.series:
        yield (data.granularity, f"{p.start} gross", p.currency, _money(p.gross))


def _set_progress(report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id).update(progress=min(max(percent, 0), 100))


def _build_sales(report: Report, vendor_id: int, base: str) -> tuple[int, str]:
    points = figures.sales_series(
        vendor_id=vendor_id, period=_period_of(report), granularity=report.params["granularity"]
    )
    _set_progress(report.pk, 20)
    rows = csv_store(
        name=f"{base}.csv", header=SALES_HEADER, rows=_sales_rows(vendor_id, report, points)
    )
    _svg_store(f"{base}.svg", _chart(report, "Sales", points))
    return rows, f"{base}.svg"


def _build_platform(report: Report, base: str) -> tuple[int, str]:
    data = figures.platform_report(
        period=_period_of(report), granularity=report.params["granularity"]
    )
    _set_progress(report.pk, 50)
    rows = csv_store(name=f"{base}.csv", header=PLATFORM_HEADER, rows=_platform_rows(data))
    _svg_store(f"{base}.svg", _chart(report, "Platform GMV", data.series))
    return rows, f"{base}.svg"


def _build_low_stock(report: Report, vendor_id: int, base: str) -> tuple[int, str]:
    threshold = low_stock_threshold_of(vendor_id=vendor_id)
    variants = catalog.variants_low_stock_iter(
        vendor_id=vendor_id, threshold=threshold, chunk_size=CHUNK_ROWS
    )
    rows = csv_store(
        name=f"{base}.csv",
        header=LOW_STOCK_HEADER,
        rows=((*astuple(v), threshold) for v in variants),
    )
    return rows, ""


def _build_inventory(report: Report, vendor_id: int, base: str) -> tuple[int, str]:
    total = max(catalog.variant_count_of_vendor(vendor_id=vendor_id), 1)
    rows = csv_store(
        name=f"{base}.csv",
        header=INVENTORY_HEADER,
        rows=(
            astuple(r)
            for r in catalog.variants_with_stock_iter(vendor_id=vendor_id, chunk_size=CHUNK_ROWS)
        ),
        progress=lambda n: _set_progress(report.pk, 1 + 98 * n // total),
    )
    return rows, ""


def report_build(*, report_id: int) -> dict[str, Any]:
    """Build the report's files (the task's work). Safe to run again: it writes the
    same names and replaces them."""
    report = Report.objects.get(pk=report_id)
    if report.status == Report.Status.DONE:
        return _summary(report)
    Report.objects.filter(pk=report_id).update(status=Report.Status.RUNNING, progress=1)
    base = f"{report.kind}/{report.pk}"
    if report.vendor_id is None:
        rows, chart = _build_platform(report, base)
    elif report.kind == "sales":
        rows, chart = _build_sales(report, report.vendor_id, base)
    elif report.kind == "low_stock":
        rows, chart = _build_low_stock(report, report.vendor_id, base)
    else:
        rows, chart = _build_inventory(report, report.vendor_id, base)
    Report.objects.filter(pk=report_id).update(
        status=Report.Status.DONE,
        progress=100,
        rows=rows,
        csv_file=f"{base}.csv",
        chart_file=chart,
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return _summary(report)


def _summary(report: Report) -> dict[str, Any]:
    return {"report_id": report.pk, "kind": report.kind, "rows": report.rows, **report.params}


# ------------------------------------------------------------------ handing out
def _link(report: Report, name: str, now: dt.datetime) -> TaskDownload:
    token = signing.TimestampSigner(salt=_SALT).sign_object(
        {"r": report.pk, "f": name, "u": report.owner_id}, compress=False
    )
    return TaskDownload(
        name=name,
        content_type=_FILES[name],
        url=f"{settings.REPORT_DOWNLOAD_PATH}{token}",
        expires_at=now + dt.timedelta(seconds=int(settings.REPORT_URL_TTL)),
    )


def report_task_extras(task_id: str) -> TaskExtras | None:
    """The task status of a report task: its progress and, once built, fresh signed
    links to its files (the status endpoint has checked whose task it is)."""
    report = Report.objects.filter(task_id=task_id).first()
    if report is None:
        return None
    downloads = []
    if report.status == Report.Status.DONE:
        now = timezone.now()
        downloads.append(_link(report, "csv", now))
        if report.chart_file:
            downloads.append(_link(report, "chart", now))
    return TaskExtras(progress=report.progress, downloads=downloads)


@dataclass(frozen=True)
class ReportFile:
    handle: IO[bytes]
    filename: str
    content_type: str


def report_file_open(*, token: str, user: Account | None = None) -> ReportFile:
    """The file a signed link names, opened for reading. An expired link is
    LinkExpired (410), a forged or altered one InvalidLink (403); a file that is not
    (or no longer) the signer's — or, when the request is signed in, not the caller's
    — is NotFound (404)."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        claims = signer.unsign_object(token, max_age=int(settings.REPORT_URL_TTL))
    except signing.SignatureExpired:
        raise LinkExpired() from None
    except signing.BadSignature:
        raise InvalidLink() from None
    owner_id, name = claims.get("u"), claims.get("f")
    if user is not None and user.pk != owner_id:
        raise NotFound("No such report file.")
    report = Report.objects.filter(
        pk=claims.get("r"), owner_id=owner_id, status=Report.Status.DONE
    ).first()
    stored = {"csv": report.csv_file, "chart": report.chart_file}.get(name, "") if report else ""
    storage = reports_storage()
    if report is None or not stored or not storage.exists(stored):
        raise NotFound("No such report file.")
    extension = "csv" if name == "csv" else "svg"
    return ReportFile(
        handle=storage.open(stored, "rb"),
        filename=f"fashionistar-{report.kind}-{report.pk}.{extension}",
        content_type=_FILES[str(name)],
    )


def reports_prune(*, days: int | None = None) -> int:
    """Delete reports (rows and files) older than REPORT_RETENTION_DAYS."""
    cutoff = timezone.now() - dt.timedelta(days=days or int(settings.REPORT_RETENTION_DAYS))
    storage = reports_storage()
    pruned = 0
    for report in Report.objects.filter(created_at__lt=cutoff).iterator(chunk_size=500):
        for name in (report.csv_file, report.chart_file):
            if name and storage.exists(name):
                storage.delete(name)
        with transaction.atomic():
            Report.objects.filter(pk=report.pk).delete()
        pruned += 1
    return pruned
