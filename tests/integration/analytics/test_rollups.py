"""The daily rollups: kept current by the event handlers as orders are placed, paid,
shipped, cancelled and refunded, and equal to a rebuild from the orders history and
the ledger whatever the sequence."""

from __future__ import annotations

import io
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum

from shared_domain.analytics.models import ProductDailyRollup, VendorDailyRollup
from shared_domain.analytics.services import rollup_recompute
from shared_domain.inventory.models import Stock
from shared_domain.orders import services as orders
from shared_domain.orders.models import VendorOrder
from shared_domain.payments.models import LedgerEntry
from shared_domain.payments.money import to_minor
from shared_domain.payments.services import refund_create
from tests.factories import CustomerFactory, StaffFactory
from tests.integration.analytics.conftest import place, settle
from tests.taskrunner import run_tasks

pytestmark = pytest.mark.django_db

VENDOR_FIELDS = [
    f.name
    for f in VendorDailyRollup._meta.get_fields()
    if f.concrete and f.name not in ("id", "updated_at")
]
PRODUCT_FIELDS = [f.name for f in ProductDailyRollup._meta.get_fields() if f.name != "id"]


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    vendors = VendorDailyRollup.objects.order_by("vendor_id", "day", "currency")
    products = ProductDailyRollup.objects.order_by("vendor_id", "product_id", "day", "currency")
    return (
        list(vendors.values_list(*[f"{n}_id" if n == "vendor" else n for n in VENDOR_FIELDS])),
        list(products.values_list(*[f"{n}_id" if n == "vendor" else n for n in PRODUCT_FIELDS])),
    )


def _restock() -> None:
    Stock.objects.filter(variant__sku__in=["DR-RED-M", "LS-BLU-L"]).update(quantity=500)


def _random_history(rng: random.Random, sandbox: Any, shop: dict[str, Any]) -> None:
    staff = StaffFactory.create()
    unpaid, paid_parts = [], []
    for n in range(10):
        customer = CustomerFactory.create()
        lines = rng.choice([[("DR-RED-M", 1)], [("DR-RED-M", 2), ("LS-BLU-L", 1)],
                            [("LS-BLU-L", rng.randint(1, 3))]])  # fmt: skip
        unpaid.append(place(shop, customer, *lines, key=f"o{n}"))
        _restock()
        action = rng.random()
        if action < 0.2 and unpaid:
            order = unpaid.pop(rng.randrange(len(unpaid)))
            orders.order_cancel(customer=order.customer, order_id=order.pk)
        elif action < 0.8 and unpaid:
            order = unpaid.pop(rng.randrange(len(unpaid)))
            settle(sandbox, order, rng.choice(["paystack", "stripe"]))
            paid_parts += list(VendorOrder.objects.filter(order=order))
        if paid_parts and rng.random() < 0.5:
            part = rng.choice(paid_parts)
            left = to_minor(part.subtotal, "NGN") + sum(
                LedgerEntry.objects.filter(vendor_order=part, kind="refund").values_list(
                    "amount", flat=True
                )
            )
            if left > 0:
                amount = rng.choice([left, rng.randint(1, left)])
                refund_create(actor=staff, vendor_order_id=part.pk, amount=amount)
        if paid_parts and rng.random() < 0.3:
            part = VendorOrder.objects.get(pk=rng.choice(paid_parts).pk)
            if part.status == "paid":
                vendor = part.vendor.user
                orders.vendor_order_ship(vendor=vendor, vendor_order_id=part.pk,
                                         carrier="local", tracking_number=f"T{part.pk}")  # fmt: skip
                if rng.random() < 0.5:
                    orders.vendor_order_deliver(vendor=vendor, vendor_order_id=part.pk)
                    _maybe_return(rng, part)
    # Whatever the draw, one order goes all the way to a return.
    order = place(shop, CustomerFactory.create(), ("DR-RED-M", 2), key="last")
    settle(sandbox, order)
    part = VendorOrder.objects.get(order=order)
    vendor = part.vendor.user
    orders.vendor_order_ship(vendor=vendor, vendor_order_id=part.pk, carrier="local",
                             tracking_number=f"T{part.pk}")  # fmt: skip
    orders.vendor_order_deliver(vendor=vendor, vendor_order_id=part.pk)
    _maybe_return(rng, part, always=True)


def _maybe_return(rng: random.Random, part: VendorOrder, *, always: bool = False) -> None:
    """Most delivered parts see a return of some units of one item, for any reason."""
    if not always and rng.random() < 0.3:
        return
    item = rng.choice(list(part.items.all()))
    reason = rng.choice(["too_small", "too_large", "not_as_described", "other"])
    orders.return_request(customer=part.order.customer, order_id=part.order_id,
                          data={"item_id": item.pk, "reason": reason,
                                "quantity": rng.randint(1, item.quantity)})  # fmt: skip


@pytest.mark.parametrize("seed", [20261126, 7, 42])
def test_rebuild_equals_the_rollups_kept_by_the_events(
    seed, sandbox, shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _random_history(random.Random(seed), sandbox, shop)
    run_tasks()  # the recomputes the handlers enqueued
    incremental = snapshot()
    # The handlers did run, and the sequence had cancellations and refunds.
    assert incremental[0]
    assert incremental[1]
    totals = VendorDailyRollup.objects.aggregate(
        c=Sum("cancelled"), r=Sum("refunded"), d=Sum("delivered_units"), ret=Sum("returned_units")
    )
    assert totals["c"]
    assert totals["r"]
    assert totals["d"]
    assert totals["ret"]

    VendorDailyRollup.objects.all().delete()
    ProductDailyRollup.objects.all().delete()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert snapshot() == incremental

    # And the money agrees with the ledger it came from.
    for vendor in (shop["ada"], shop["eko"]):
        vendor_id = vendor.vendor_profile.pk
        kept = VendorDailyRollup.objects.filter(vendor_id=vendor_id)
        ledger = LedgerEntry.objects.filter(vendor_id=vendor_id).exclude(kind="payout")
        net = sum(e.amount for e in ledger)
        assert to_minor(sum((r.net for r in kept), Decimal(0)), "NGN") == net
        paid = VendorOrder.objects.filter(vendor_id=vendor_id, history__to_status="paid").count()
        assert sum(r.paid for r in kept) == paid


def test_a_recompute_run_twice_writes_the_same_rows(
    sandbox, shop, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(shop, customer, ("DR-RED-M", 2), ("LS-BLU-L", 1))
        settle(sandbox, order)
    run_tasks()
    before = snapshot()
    row = VendorDailyRollup.objects.get(vendor_id=shop["ada"].vendor_profile.pk)
    assert (row.placed, row.paid, row.gross, row.paid_amount) == (
        1,
        1,
        Decimal("50000.00"),
        Decimal("50000.00"),
    )
    assert row.net == row.gross - row.commission
    rollup_recompute(vendor_id=row.vendor_id, day=row.day)
    rollup_recompute(vendor_id=row.vendor_id, day=row.day)
    assert snapshot() == before
    product = ProductDailyRollup.objects.get(product_id=shop["dress"].pk)
    assert (product.units, product.revenue) == (2, Decimal("50000.00"))


def test_the_recompute_runs_on_the_analytics_queue_not_in_the_checkout(
    shop, customer, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        place(shop, customer, ("DR-RED-M", 1))
    assert not VendorDailyRollup.objects.exists()  # nothing computed inline
    queued = DBTaskResult.objects.filter(task_path__endswith="recompute_days")
    assert [task.queue_name for task in queued] == ["analytics"]
    run_tasks()
    assert VendorDailyRollup.objects.get(vendor_id=shop["ada"].vendor_profile.pk).placed == 1


def test_a_burst_of_orders_of_one_vendor_queues_one_recompute_per_day(
    shop, customer, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            place(shop, customer, ("DR-RED-M", 1), key=f"burst-{n}")
    queued = DBTaskResult.objects.filter(task_path__endswith="recompute_days")
    assert queued.count() == 1  # the later orders found the day already marked
    run_tasks()
    ada = VendorDailyRollup.objects.get(vendor_id=shop["ada"].vendor_profile.pk)
    assert ada.placed == 3  # the one recompute read all three
    # The mark is gone: the next order queues a new recompute.
    with django_capture_on_commit_callbacks(execute=True):
        place(shop, customer, ("DR-RED-M", 1), key="after")
    assert queued.count() == 2
