"""Rollups under concurrency: shoppers of one vendor place, pay for and get refunds on
orders in threads of their own while two workers run the recompute tasks those events
queue; once everything has settled, the rollups the events kept equal a rebuild from
the sources. Real threads, real PostgreSQL, each thread on its own connection."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from shared_domain.analytics.models import PendingRecompute, ProductDailyRollup, VendorDailyRollup
from shared_domain.analytics.services import rollups_rebuild
from shared_domain.inventory.models import Stock
from shared_domain.orders import services as orders
from shared_domain.orders.models import VendorOrder
from shared_domain.payments.services import refund_create
from tests.factories import CustomerFactory, StaffFactory
from tests.integration.analytics.conftest import place, sandbox, settle
from tests.integration.analytics.test_rollups import snapshot
from tests.taskrunner import run_tasks

__all__ = ["sandbox"]

pytestmark = pytest.mark.django_db(transaction=True)

SHOPPERS = 4
ORDERS_EACH = 3


def _shopper(n: int, shop: dict[str, Any], sandbox: Any, staff: Any) -> None:
    """Orders of Ada's dress: paid and half refunded, paid, cancelled, in turn."""
    customer = CustomerFactory.create()
    for i in range(ORDERS_EACH):
        order = place(shop, customer, ("DR-RED-M", 1 + i % 2), key=f"s{n}-{i}")
        if i % 3 == 2:
            orders.order_cancel(customer=customer, order_id=order.pk)
            continue
        settle(sandbox, order)
        if i % 3 == 0:
            part = VendorOrder.objects.get(order=order)
            refund_create(actor=staff, vendor_order_id=part.pk, amount=500_000)


def _worker(name: str, stop: threading.Event, ran: list[int]) -> None:
    from django.conf import settings

    from worker_service.runner import Worker

    worker = Worker(queues=list(settings.TASK_QUEUES), listen=False, worker_id=name)
    try:
        while not stop.is_set():
            claimed = worker.claim_next()
            if claimed is None:
                stop.wait(0.01)
                continue
            worker.execute(claimed)
            ran.append(1)
    finally:
        connection.close()


def test_rollups_kept_under_concurrent_orders_equal_a_rebuild(shop, sandbox):
    Stock.objects.filter(variant__sku="DR-RED-M").update(quantity=1000)
    staff = StaffFactory.create()
    stop, ran = threading.Event(), list[int]()
    workers = [threading.Thread(target=_worker, args=(f"w{i}", stop, ran)) for i in range(2)]
    errors: list[Exception] = []

    def shopper(n: int) -> None:
        try:
            _shopper(n, shop, sandbox, staff)
        except Exception as error:  # noqa: BLE001 - the test fails on it below
            errors.append(error)
        finally:
            connection.close()

    shoppers = [threading.Thread(target=shopper, args=(n,)) for n in range(SHOPPERS)]
    for thread in (*workers, *shoppers):
        thread.start()
    for thread in shoppers:
        thread.join(timeout=120)
    stop.set()
    for thread in workers:
        thread.join(timeout=30)
    assert not errors, errors
    assert ran, "the workers ran recomputes while the shoppers were busy"
    run_tasks()  # whatever was queued after the workers stopped
    assert not PendingRecompute.objects.exists()

    kept = snapshot()
    ada = shop["ada"].vendor_profile.pk
    [row] = VendorDailyRollup.objects.filter(vendor_id=ada)
    paid = SHOPPERS * sum(1 for i in range(ORDERS_EACH) if i % 3 != 2)
    cancelled = SHOPPERS * sum(1 for i in range(ORDERS_EACH) if i % 3 == 2)
    assert (row.placed, row.paid, row.cancelled) == (SHOPPERS * ORDERS_EACH, paid, cancelled)
    assert row.refunded > 0

    VendorDailyRollup.objects.all().delete()
    ProductDailyRollup.objects.all().delete()
    rollups_rebuild()
    assert snapshot() == kept
