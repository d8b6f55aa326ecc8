"""v1 reports: a vendor (or staff) asks, a task on the analytics queue writes the CSV
and chart into the private storage, the task status gives short-lived signed links,
and only the owner can use them. Plus the vendor's low-stock threshold."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import pytest
from django.core import signing
from django.core.files.storage import FileSystemStorage

from shared_domain.analytics.models import Report
from shared_domain.analytics.reports import reports_prune, reports_storage
from shared_domain.orders import services as orders
from tests.factories import CustomerFactory, StaffFactory, VendorFactory
from tests.http import error as error_body
from tests.integration.analytics.conftest import place, sandbox, settle
from tests.integration.orders_api import send
from tests.taskrunner import run_tasks

__all__ = ["sandbox"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_reports(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "reports")},
        },
    }
    return tmp_path / "reports"


@pytest.fixture
def sales(shop, sandbox, django_capture_on_commit_callbacks):
    """Ada: a paid order of two dresses (and a shirt of Eko's), and a cancelled one."""
    buyer = CustomerFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        settle(sandbox, place(shop, buyer, ("DR-RED-M", 2), ("LS-BLU-L", 1), key="paid"))
        cancelled = place(shop, buyer, ("DR-RED-M", 1), key="cancelled")
        orders.order_cancel(customer=buyer, order_id=cancelled.pk)
    run_tasks()  # the rollup recomputes the events queued
    return shop


def error(response, status, code):
    assert response.status_code == status, response.content
    body = error_body(response)
    assert body["code"] == code, body
    return body


def _ask(client, user, body, path="/api/v1/vendor/reports"):
    return send(client, "post", path, user, body)


def _finish(client, user, response):
    assert response.status_code == 202, response.content
    task_id = response.json()["task_id"]
    assert response["Location"] == f"/api/v1/tasks/{task_id}"
    run_tasks()
    status = send(client, "get", f"/api/v1/tasks/{task_id}", user)
    assert status.status_code == 200, status.content
    return status.json()


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_vendor_sales_report_has_totals_days_products_and_a_chart(client, sales):
    ada = sales["ada"]
    done = _finish(client, ada, _ask(client, ada, {"kind": "sales", "period": "7d"}))
    assert done["status"] == "SUCCESSFUL"
    assert done["progress"] == 100
    assert done["result"]["kind"] == "sales"
    links = {d["name"]: d for d in done["downloads"]}
    assert set(links) == {"csv", "chart"}
    assert links["csv"]["url"].startswith("/api/v1/reports/files/")
    assert links["chart"]["content_type"] == "image/svg+xml"
    rows = _csv(client, links["csv"]["url"])
    header, body = rows[0], rows[1:]
    assert header[:3] == ["section", "start", "product_id"]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    [total] = [r for r in body if r[0] == "total"]
    assert (total[4], total[7], total[9]) == ("NGN", "1", "50000.00")
    [day] = [r for r in body if r[0] == "day"]
    assert (day[1], day[6], day[7], day[8]) == (today, "2", "1", "1")
    [product] = [r for r in body if r[0] == "product"]
    assert (product[3], product[5], product[9]) == ("Ankara Maxi Dress", "2", "50000.00")
    chart = client.get(links["chart"]["url"])
    assert chart.status_code == 200
    svg = b"".join(chart.streaming_content).decode()
    assert svg.startswith("<svg")
    assert "<polyline" in svg
    assert "gross NGN" in svg


def test_sales_by_week_and_month_bucket_the_series(client, sales):
    ada = sales["ada"]
    for granularity in ("week", "month"):
        done = _finish(
            client, ada, _ask(client, ada, {"kind": "sales", "granularity": granularity})
        )
        url = next(d["url"] for d in done["downloads"] if d["name"] == "csv")
        [bucket] = [r for r in _csv(client, url) if r[0] == granularity]
        today = dt.datetime.now(dt.UTC).date()
        first = (
            today - dt.timedelta(days=today.weekday())
            if granularity == "week"
            else today.replace(day=1)
        )
        assert (bucket[1], bucket[9]) == (first.isoformat(), "50000.00")


def test_a_vendor_without_orders_gets_an_empty_report_not_an_error(client, shop):
    lonely = VendorFactory.create()
    done = _finish(client, lonely, _ask(client, lonely, {"kind": "sales"}))
    assert done["status"] == "SUCCESSFUL"
    rows = _csv(client, done["downloads"][0]["url"])
    assert len(rows) == 1  # the header only
    assert done["result"]["rows"] == 0


def test_low_stock_and_inventory_reports_use_the_vendors_threshold(client, sales):
    ada = sales["ada"]
    response = send(client, "put", "/api/v1/vendor/analytics-settings", ada,
                    {"low_stock_threshold": 2})  # fmt: skip
    assert response.json() == {"low_stock_threshold": 2, "default": False}
    done = _finish(client, ada, _ask(client, ada, {"kind": "low_stock"}))
    [only] = list(done["downloads"])
    rows = _csv(client, only["url"])
    # DR-RED-L: 1 unit; DR-RED-M: 5 - 2 allocated = 3, above 2 now.
    assert [(r[1], r[6], r[7]) for r in rows[1:]] == [("DR-RED-L", "1", "2")]
    done = _finish(client, ada, _ask(client, ada, {"kind": "inventory"}))
    rows = _csv(client, done["downloads"][0]["url"])
    assert rows[0] == ["product_id", "product_title", "product_status", "variant_id", "sku",
                       "size", "colour", "is_active", "on_hand", "allocated", "reserved",
                       "available"]  # fmt: skip
    by_sku = {r[4]: r for r in rows[1:]}
    assert set(by_sku) == {"DR-RED-M", "DR-RED-L"}  # Eko's shirt is not Ada's
    assert by_sku["DR-RED-M"][8:] == ["5", "2", "0", "3"]


def test_another_user_gets_404_for_the_task_and_the_file(client, sales):
    ada, eko = sales["ada"], sales["eko"]
    done = _finish(client, ada, _ask(client, ada, {"kind": "sales"}))
    url = done["downloads"][0]["url"]
    assert error(send(client, "get", f"/api/v1/tasks/{done['id']}", eko), 404, "not_found")
    # Ada's link, used by Eko signed in: not Eko's file.
    assert error(send(client, "get", url, eko), 404, "not_found")
    # A genuine signature naming Eko with Ada's report: the file is not Eko's.
    report = Report.objects.get(task_id=done["id"])
    forged = signing.TimestampSigner(salt="fashionistar.analytics.report-file").sign_object(
        {"r": report.pk, "f": "csv", "u": eko.pk}, compress=False
    )
    assert error(client.get(f"/api/v1/reports/files/{forged}"), 404, "not_found")


def test_expired_and_tampered_links_are_refused_clearly(client, sales, monkeypatch, settings):
    ada = sales["ada"]
    done = _finish(client, ada, _ask(client, ada, {"kind": "sales"}))
    url = done["downloads"][0]["url"]
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert error(client.get(tampered), 403, "invalid_link")
    later = time.time() + settings.REPORT_URL_TTL + 5
    monkeypatch.setattr(time, "time", lambda: later)  # what the signer reads
    assert error(client.get(url), 410, "link_expired")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "returns"}, "kind"),
        ({"kind": "sales", "period": "1y"}, "period"),
        ({"kind": "sales", "from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"kind": "sales", "from": "2025-01-01", "to": "2026-03-01"}, "to"),
        ({"kind": "sales", "from": "2026-03-01"}, "to"),
        ({"kind": "sales", "from": "March", "to": "2026-03-01"}, "from"),
        ({"kind": "sales", "granularity": "hour"}, "granularity"),
        ({"kind": "sales", "colour": "red"}, "colour"),
        ({}, "kind"),
    ],
)
def test_bad_report_requests_are_400_and_queue_nothing(client, shop, body, field):
    response = _ask(client, shop["ada"], body)
    assert field in error(response, 400, "validation_error")["details"]
    assert not Report.objects.exists()


def test_only_vendors_ask_for_store_reports_and_only_staff_for_the_platform(client, shop):
    customer = CustomerFactory.create()
    assert error(_ask(client, customer, {"kind": "sales"}), 403, "permission_denied")
    staff_path = "/api/v1/staff/reports"
    assert error(_ask(client, shop["ada"], {}, staff_path), 403, "permission_denied")
    assert error(_ask(client, None, {"kind": "sales"}), 401, "not_authenticated")


def test_staff_platform_report_has_gmv_orders_vendors_and_payment_outcomes(client, sales):
    staff = StaffFactory.create()
    done = _finish(client, staff, _ask(client, staff, {"period": "30d"}, "/api/v1/staff/reports"))
    assert done["status"] == "SUCCESSFUL"
    links = {d["name"]: d["url"] for d in done["downloads"]}
    rows = {(r[0], r[1], r[2]): r[3] for r in _csv(client, links["csv"])[1:]}
    assert rows[("total", "gmv", "NGN")] == "65000.00"  # Ada 50000 + Eko 15000
    assert rows[("orders", "placed", "")] == "3"  # two parts of one order, and one
    assert rows[("orders", "cancelled", "")] == "1"
    assert rows[("payments", "failure_rate", "")] == "0.0000"
    ada_name = sales["ada"].vendor_profile.store_name
    assert rows[("top_vendor", f"1. {ada_name} (#{sales['ada'].vendor_profile.pk})", "NGN")] == (
        "50000.00"
    )
    assert client.get(links["chart"]).status_code == 200


def test_old_reports_are_pruned_with_their_files(client, sales, private_reports):
    ada = sales["ada"]
    done = _finish(client, ada, _ask(client, ada, {"kind": "sales"}))
    report = Report.objects.get(task_id=done["id"])
    storage = reports_storage()
    assert storage.exists(report.csv_file)
    assert storage.exists(report.chart_file)
    assert reports_prune() == 0
    Report.objects.filter(pk=report.pk).update(created_at=report.created_at - dt.timedelta(days=8))
    assert reports_prune() == 1
    assert not storage.exists(report.csv_file)
    assert not storage.exists(report.chart_file)
    assert error(client.get(done["downloads"][0]["url"]), 404, "not_found")


def test_report_files_are_outside_static_and_media(private_reports, settings):
    root = str(private_reports)
    assert not root.startswith(str(settings.STATIC_ROOT or "\0"))
    storage = reports_storage()
    assert isinstance(storage, FileSystemStorage)
    assert storage.base_location == root


# ---------------------------------------------------------------- low-stock threshold
def test_the_threshold_is_validated_and_null_goes_back_to_the_default(client, shop, settings):
    ada = shop["ada"]
    path = "/api/v1/vendor/analytics-settings"
    default = settings.ANALYTICS_LOW_STOCK_THRESHOLD
    assert send(client, "get", path, ada).json() == {
        "low_stock_threshold": default, "default": True,
    }  # fmt: skip
    for bad in (-1, "many", 100_001, 2.5):
        response = send(client, "put", path, ada, {"low_stock_threshold": bad})
        assert "low_stock_threshold" in error(response, 400, "validation_error")["details"]
    assert error(send(client, "put", path, ada, {}), 400, "validation_error")
    assert send(client, "put", path, ada, {"low_stock_threshold": 0}).json() == {
        "low_stock_threshold": 0, "default": False,
    }  # fmt: skip
    assert send(client, "put", path, ada, {"low_stock_threshold": None}).json()["default"]
    customer = CustomerFactory.create()
    assert error(send(client, "get", path, customer), 403, "permission_denied")


@pytest.mark.django_db(transaction=True)
def test_v2_task_status_carries_the_same_progress_and_links(client, sales):
    ada = sales["ada"]
    done = _finish(client, ada, _ask(client, ada, {"kind": "sales"}))
    v2 = send(client, "get", f"/api/v2/tasks/{done['id']}", ada)
    assert v2.status_code == 200, v2.content
    body = v2.json()
    assert body["progress"] == 100
    assert [d["name"] for d in body["downloads"]] == ["csv", "chart"]
    assert _csv(client, body["downloads"][0]["url"])[0][0] == "section"
    assert send(client, "get", f"/api/v2/tasks/{done['id']}", sales["eko"]).status_code == 404
