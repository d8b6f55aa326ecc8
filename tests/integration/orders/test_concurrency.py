"""The money path under concurrency, with real threads (each on its own connection)
against PostgreSQL: never oversell, never deadlock, one winner per race."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from shared_domain.inventory.errors import OutOfStock
from shared_domain.inventory.models import Stock
from shared_domain.orders import services
from shared_domain.orders.lifecycle import InvalidTransition
from shared_domain.orders.models import Order
from tests.concurrency import names, race
from tests.factories import CustomerFactory, VendorFactory, category_tree_fixture, make_product
from tests.integration.orders.conftest import ADDRESS, stock_of

pytestmark = pytest.mark.django_db(transaction=True)


def _buyer(items, key="k"):
    customer = CustomerFactory.create()
    return lambda: services.order_place(
        customer=customer, idempotency_key=key, shipping_address=ADDRESS, items=items
    )


def test_fifty_customers_racing_for_the_last_five_units_get_exactly_five_orders():
    vendor = VendorFactory.create()
    product = make_product(vendor, title="Last Dress", category=category_tree_fixture()["Maxi"],
                           variants=[("LAST-M", "M", "red", 5)])  # fmt: skip
    variant = product.variants.get()
    items = [{"variant_id": variant.pk, "quantity": 1}]

    outcomes = race(*[_buyer(items) for _ in range(50)])

    assert names(outcomes).count("ok") == 5
    assert names(outcomes).count("OutOfStock") == 45
    assert Order.objects.count() == 5
    assert stock_of(variant) == (5, 0, 5)
    stock = Stock.objects.get(variant=variant)
    assert stock.quantity - stock.allocated - stock.reserved == 0


def test_checkouts_taking_the_same_variants_in_opposite_orders_do_not_deadlock(shop):
    v = shop["variants"]
    Stock.objects.filter(variant__in=[v["DR-RED-M"], v["LS-BLU-L"]]).update(quantity=100)
    forward = [{"variant_id": v["DR-RED-M"].pk, "quantity": 1},
               {"variant_id": v["LS-BLU-L"].pk, "quantity": 1}]  # fmt: skip
    backward = list(reversed(forward))
    calls = [_buyer(forward if n % 2 else backward) for n in range(20)]

    outcomes = race(*calls)

    assert names(outcomes) == ["ok"] * 20, outcomes
    assert stock_of(v["DR-RED-M"]) == (100, 0, 20)
    assert stock_of(v["LS-BLU-L"]) == (100, 0, 20)


def test_twenty_requests_with_one_idempotency_key_make_one_order(shop):
    customer = CustomerFactory.create()
    items = [{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]

    def place():
        return services.order_place(
            customer=customer, idempotency_key="same-key", shipping_address=ADDRESS, items=items
        )

    outcomes = race(*[place] * 20)

    assert names(outcomes) == ["ok"] * 20, outcomes
    assert len({o.order_id for o in outcomes}) == 1
    assert sum(o.created for o in outcomes) == 1
    assert Order.objects.count() == 1
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 1)


def test_cancel_racing_ship_has_exactly_one_winner(shop):
    for round_ in range(6):
        customer = CustomerFactory.create()
        placed = services.order_place(
            customer=customer, idempotency_key=f"r{round_}", shipping_address=ADDRESS,
            items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}],
        )  # fmt: skip
        services.order_mark_paid(order_id=placed.order_id)
        part = Order.objects.get(pk=placed.order_id).vendor_orders.get()

        outcomes = race(
            partial(services.order_cancel, customer=customer, order_id=placed.order_id),
            partial(
                services.vendor_order_ship, vendor=shop["ada"], vendor_order_id=part.pk,
                carrier="local", tracking_number=f"RACE-{round_}",
            ),
        )  # fmt: skip

        assert names(outcomes) == ["InvalidTransition", "ok"], outcomes
        order = Order.objects.get(pk=placed.order_id)
        assert order.status in {"cancelled", "shipped"}
    # Each round either released the unit (cancel) or shipped it: none left held.
    quantity, allocated, reserved = stock_of(shop["variants"]["DR-RED-M"])
    assert (allocated, reserved) == (0, 0)
    shipped = Order.objects.filter(status="shipped").count()
    assert quantity == 5 - shipped


def test_expiry_racing_payment_never_cancels_a_paid_order(shop):
    Stock.objects.filter(variant=shop["variants"]["LS-BLU-L"]).update(quantity=20)
    for round_ in range(8):
        customer = CustomerFactory.create()
        placed = services.order_place(
            customer=customer, idempotency_key=f"e{round_}", shipping_address=ADDRESS,
            items=[{"variant_id": shop["variants"]["LS-BLU-L"].pk, "quantity": 1}],
        )  # fmt: skip
        Order.objects.filter(pk=placed.order_id).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

        outcomes = race(
            partial(services.order_mark_paid, order_id=placed.order_id), services.orders_expire
        )

        order = Order.objects.get(pk=placed.order_id)
        paid, expired = outcomes
        if order.status == "paid":
            assert not isinstance(paid, Exception)
            assert expired == 0
        else:
            assert order.status == "cancelled"
            assert isinstance(paid, InvalidTransition)
        assert stock_of(shop["variants"]["LS-BLU-L"])[2] == 0  # nothing left reserved
    paid_orders = Order.objects.filter(status="paid").count()
    assert stock_of(shop["variants"]["LS-BLU-L"]) == (20, paid_orders, 0)


def test_out_of_stock_under_contention_leaves_no_partial_order(shop):
    v = shop["variants"]
    # Two units of L between three customers who each want both the L and an M.
    Stock.objects.filter(variant=v["DR-RED-L"]).update(quantity=2)
    items = [{"variant_id": v["DR-RED-M"].pk, "quantity": 1},
             {"variant_id": v["DR-RED-L"].pk, "quantity": 1}]  # fmt: skip
    outcomes = race(*[_buyer(items) for _ in range(3)])
    assert names(outcomes) == ["OutOfStock", "ok", "ok"]
    assert isinstance(next(o for o in outcomes if isinstance(o, Exception)), OutOfStock)
    assert stock_of(v["DR-RED-M"]) == (5, 0, 2)
    assert stock_of(v["DR-RED-L"]) == (2, 0, 2)


def test_two_expiry_runs_at_once_cancel_each_late_order_once(shop):
    Stock.objects.filter(variant=shop["variants"]["LS-BLU-L"]).update(quantity=50)
    late = []
    for n in range(12):
        customer = CustomerFactory.create()
        late.append(
            services.order_place(
                customer=customer, idempotency_key=f"x{n}", shipping_address=ADDRESS,
                items=[{"variant_id": shop["variants"]["LS-BLU-L"].pk, "quantity": 1}],
            ).order_id
        )  # fmt: skip
    Order.objects.filter(pk__in=late).update(expires_at=timezone.now() - timedelta(seconds=1))

    outcomes = race(services.orders_expire, services.orders_expire)

    assert sum(outcomes) == 12, outcomes
    assert set(Order.objects.filter(pk__in=late).values_list("status", flat=True)) == {"cancelled"}
    from shared_domain.orders.models import OrderStatusChange

    cancellations = OrderStatusChange.objects.filter(
        order_id__in=late, vendor_order=None, to_status="cancelled"
    )
    assert cancellations.count() == 12  # once each, never twice
    assert stock_of(shop["variants"]["LS-BLU-L"]) == (50, 0, 0)


def test_checkout_from_the_cart_racing_a_cart_edit_never_deadlocks(shop):
    v = shop["variants"]
    Stock.objects.filter(variant=v["DR-RED-M"]).update(quantity=100)
    for round_ in range(6):
        customer = CustomerFactory.create()
        item = services.cart_item_add(customer=customer, variant_id=v["DR-RED-M"].pk, quantity=1)
        outcomes = race(
            partial(services.order_place, customer=customer, idempotency_key=f"c{round_}",
                    shipping_address=ADDRESS),
            partial(services.cart_item_update, customer=customer, item_id=item.pk, quantity=2),
        )  # fmt: skip
        # Either may go first; neither fails for the database's sake.
        kinds = names(outcomes)
        assert "OperationalError" not in kinds, outcomes
        assert kinds[-1] == "ok", outcomes  # the checkout, or both
