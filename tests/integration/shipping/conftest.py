from __future__ import annotations

import pytest

from tests.factories import CustomerFactory, make_order


@pytest.fixture
def vendor_order_id():
    order = make_order(CustomerFactory.create(), status="processing")
    return order.vendor_orders.get().pk


@pytest.fixture
def other_vendor_order_id():
    order = make_order(CustomerFactory.create(), status="processing")
    return order.vendor_orders.get().pk
