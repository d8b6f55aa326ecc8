"""GET /api/v2/vendor/dashboard: a vendor's figures from the daily rollups, read at the
same time on connections of their own; only its own; clear 400s for bad periods."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async

from shared_domain.analytics.selectors import dashboard_period, dashboard_read
from shared_domain.analytics.services import low_stock_threshold_set
from shared_domain.common.errors import ValidationFailed
from shared_domain.orders import services as orders
from tests.factories import CustomerFactory, VendorFactory
from tests.http import error
from tests.integration.analytics.conftest import place, sandbox, settle
from tests.integration.api_v2.test_orders import asend
from tests.taskrunner import run_tasks

__all__ = ["sandbox"]

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v2/vendor/dashboard"


@pytest.fixture
def sales(shop, sandbox):
    """Ada: a paid order of two dresses (and a shirt of Eko's), and a cancelled one."""
    buyer = CustomerFactory.create()
    paid = place(shop, buyer, ("DR-RED-M", 2), ("LS-BLU-L", 1), key="paid")
    settle(sandbox, paid)
    cancelled = place(shop, buyer, ("DR-RED-M", 1), key="cancelled")
    orders.order_cancel(customer=buyer, order_id=cancelled.pk)
    run_tasks()  # the rollup recomputes the events enqueued
    return shop


async def test_a_vendor_sees_its_revenue_orders_products_stock_and_balance(
    async_client, sales, queries
):
    response = await asend(async_client, "get", f"{URL}?period=7d", sales["ada"])
    assert response.status_code == 200, response.content
    body = response.json()
    today = dt.datetime.now(dt.UTC).date()
    assert (body["start"], body["end"]) == (str(today - dt.timedelta(days=6)), str(today))
    [revenue] = body["revenue"]
    assert revenue["currency"] == "NGN"
    assert revenue["gross"] == "50000.00"
    assert revenue["paid_orders"] == 1
    assert revenue["average_order_value"] == "50000.00"
    assert revenue["refunded"] == "0.00"
    assert revenue["net"] == f"{50000 - float(revenue['commission']):.2f}"
    assert body["orders_by_status"] == {
        "placed": 2, "paid": 1, "processing": 0, "shipped": 0, "delivered": 0,
        "cancelled": 1, "refunded": 0,
    }  # fmt: skip
    [top] = body["top_products"]["by_revenue"]
    assert (top["title"], top["units"], top["revenue"]) == ("Ankara Maxi Dress", 2, "50000.00")
    # DR-RED-L has 1 unit, DR-RED-M 5 - 2 allocated = 3: both at or below 5.
    assert [v["sku"] for v in body["low_stock"]] == ["DR-RED-L", "DR-RED-M"]
    assert body["low_stock_threshold"] == 5
    assert body["balance"] == [{"amount": revenue["net"], "currency": "NGN"}]
    assert body["returns"] == {"rate": None, "returned_units": 0, "delivered_units": 0,
                               "top_reasons": []}  # fmt: skip
    # The six reads on their own connections, plus the caller's store: no order scan.
    # Rollups: revenue, statuses, top products, returns; and the low-stock setting.
    reads = [sql for sql in queries if sql.lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in reads if '"orders_' in sql]
    assert len([sql for sql in reads if '"analytics_' in sql]) == 5


def _deliver_and_return(shop):
    from shared_domain.orders.models import Order

    order = Order.objects.get(status="paid")
    part = order.vendor_orders.get(vendor=shop["ada"].vendor_profile)
    ada = shop["ada"]
    orders.vendor_order_ship(vendor=ada, vendor_order_id=part.pk, carrier="local",
                             tracking_number="RET-1")  # fmt: skip
    orders.vendor_order_deliver(vendor=ada, vendor_order_id=part.pk)
    item = part.items.get()
    orders.return_request(customer=order.customer, order_id=order.pk,
                          data={"item_id": item.pk, "reason": "too_small"})  # fmt: skip
    run_tasks()


async def test_returns_rate_and_top_reasons(async_client, sales):
    await sync_to_async(_deliver_and_return)(sales)
    response = await asend(async_client, "get", URL, sales["ada"])
    assert response.status_code == 200
    # 2 dresses delivered, 1 returned as too small.
    assert response.json()["returns"] == {
        "rate": "0.5000", "returned_units": 1, "delivered_units": 2,
        "top_reasons": [{"reason": "too_small", "units": 1}],
    }  # fmt: skip


async def test_another_vendor_sees_only_its_own_zeros(async_client, sales):
    stranger = await sync_to_async(VendorFactory.create)()
    response = await asend(async_client, "get", URL, stranger)
    assert response.status_code == 200
    body = response.json()
    assert body["revenue"] == []
    assert set(body["orders_by_status"].values()) == {0}
    assert body["top_products"] == {"by_revenue": [], "by_units": []}
    assert body["low_stock"] == []
    assert body["balance"] == []


async def test_the_vendors_own_low_stock_threshold_applies(async_client, sales):
    await sync_to_async(low_stock_threshold_set)(
        vendor_id=sales["ada"].vendor_profile.pk, threshold=2
    )
    body = (await asend(async_client, "get", URL, sales["ada"])).json()
    assert body["low_stock_threshold"] == 2
    assert [v["sku"] for v in body["low_stock"]] == ["DR-RED-L"]  # DR-RED-M has 3
    other = (await asend(async_client, "get", URL, sales["eko"])).json()
    assert other["low_stock_threshold"] == 5  # Eko keeps the default


async def test_customers_and_anonymous_callers_are_refused(async_client, sales):
    customer = await sync_to_async(CustomerFactory.create)()
    response = await asend(async_client, "get", URL, customer)
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert (await asend(async_client, "get", URL)).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=1y", "period"),
        ("from=2026-02-01", "to"),
        ("from=2026-13-01&to=2026-12-01", "from"),
        ("from=2026-03-01&to=2026-02-01", "from"),
        ("from=2024-01-01&to=2026-01-01", "to"),
        ("period=7d&from=2026-01-01&to=2026-01-02", "period"),
    ],
)
async def test_bad_periods_are_400_naming_the_field(async_client, shop, query, field):
    response = await asend(async_client, "get", f"{URL}?{query}", shop["ada"])
    assert response.status_code == 400, response.content
    body = error(response)
    assert body["code"] == "validation_error"
    assert field in body["details"]


async def test_a_custom_period_is_whole_days_both_included(async_client, sales):
    today = dt.datetime.now(dt.UTC).date()
    query = f"from={today}&to={today}"
    response = await asend(async_client, "get", f"{URL}?{query}", sales["ada"])
    assert response.status_code == 200
    assert response.json()["revenue"][0]["gross"] == "50000.00"
    yesterday = today - dt.timedelta(days=1)
    response = await asend(async_client, "get", f"{URL}?from={yesterday}&to={yesterday}",
                           sales["ada"])  # fmt: skip
    assert response.json()["revenue"] == []


def test_the_sequential_read_is_seven_queries(sales, django_assert_num_queries):
    period = dashboard_period(period="30d", start=None, end=None)
    # Six reads and the store's low-stock setting.
    with django_assert_num_queries(7):
        dashboard = dashboard_read(vendor_id=sales["ada"].vendor_profile.pk, period=period)
    assert dashboard.orders_by_status["paid"] == 1


def test_period_words():
    today = dt.date(2026, 3, 10)
    assert dashboard_period(period="90d", start=None, end=None, today=today).days == 90
    assert dashboard_period(period=None, start=None, end=None, today=today).days == 30
    with pytest.raises(ValidationFailed):
        dashboard_period(period="0d", start=None, end=None, today=today)


async def test_bench_variants_answer_the_same_and_only_when_switched_on(
    async_client, sales, settings
):
    full = (await asend(async_client, "get", URL, sales["ada"])).json()
    ignored = (await asend(async_client, "get", f"{URL}?only=revenue", sales["ada"])).json()
    assert ignored == full  # off: the parameters mean nothing
    settings.DASHBOARD_BENCH_PARAMS = True
    sequential = await asend(async_client, "get", f"{URL}?sequential=1", sales["ada"])
    assert sequential.json() == full
    only = (await asend(async_client, "get", f"{URL}?only=revenue", sales["ada"])).json()
    assert only["revenue"] == full["revenue"]
    assert only["balance"] == []
    assert only["low_stock"] == []
