"""The platform report page in the admin: staff see the staff report's figures and a
chart drawn on the server (inline SVG, no script, nothing from another origin, under
the admin's CSP); anyone else is sent to the admin login."""

from __future__ import annotations

import re

import pytest

from shared_domain.analytics.figures import platform_report
from shared_domain.analytics.selectors import dashboard_period
from shared_domain.orders import services as orders
from tests.factories import CustomerFactory, StaffFactory
from tests.integration.analytics.conftest import place, sandbox, settle
from tests.taskrunner import run_tasks

__all__ = ["sandbox"]

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/analytics/platform-report/"


@pytest.fixture
def sales(shop, sandbox, django_capture_on_commit_callbacks):
    buyer = CustomerFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        settle(sandbox, place(shop, buyer, ("DR-RED-M", 2), ("LS-BLU-L", 1), key="paid"))
        cancelled = place(shop, buyer, ("DR-RED-M", 1), key="cancelled")
        orders.order_cancel(customer=buyer, order_id=cancelled.pk)
    run_tasks()
    return shop


def test_staff_see_the_platform_figures_and_an_inline_chart(client, sales):
    client.force_login(StaffFactory.create())
    index = client.get("/api/v1/admin/")
    assert index.status_code == 200
    assert URL in index.content.decode()  # linked from the admin index
    response = client.get(f"{URL}?period=7d")
    assert response.status_code == 200
    page = response.content.decode()
    report = platform_report(period=dashboard_period(period="7d", start=None, end=None))
    [ngn] = report.revenue
    assert f'<td class="gmv">{ngn.gross}</td>' in page
    assert str(ngn.gross) == "65000.00"
    assert str(ngn.commission) in page
    assert sales["ada"].vendor_profile.store_name in page  # the top vendor
    assert "0.0%" in page  # no failed payment
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" width=')
    svg = page[start : page.index("</svg>", start)]
    assert "<polyline" in svg
    assert "<script" not in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    # Every script on the page is a file of this origin or carries the nonce.
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'src="/api/v1/static/' in tag or "nonce=" in tag, tag


def test_bad_input_is_shown_on_the_page_not_a_500(client, sales):
    client.force_login(StaffFactory.create())
    response = client.get(f"{URL}?from=2026-03-02&to=2026-03-01&granularity=week")
    assert response.status_code == 200
    assert "`from` is after `to`." in response.content.decode()
    response = client.get(f"{URL}?granularity=hour")
    assert "Unknown granularity" in response.content.decode()


def test_anyone_but_staff_is_sent_to_the_admin_login(client, sales):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/api/v1/admin/login/")
    client.force_login(sales["ada"])
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/api/v1/admin/login/")
    client.force_login(CustomerFactory.create())
    assert client.get(URL).status_code == 302
