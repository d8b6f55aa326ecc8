"""The demo data of `make run`: a customer with a cart and orders in several states."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from shared_domain.orders.models import CartItem, Order

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_each_state_and_leave_a_cart():
    call_command("seed_demo", "--vendors", "3", "--products", "40", verbosity=0)
    call_command("seed_demo_orders", verbosity=0)
    statuses = sorted(Order.objects.values_list("status", flat=True))
    assert statuses == ["cancelled", "delivered", "paid", "pending_payment", "shipped"]
    assert (
        CartItem.objects.filter(cart__customer__email="customer@fashionistar.example").count() == 2
    )
    # A second run leaves things as they are.
    call_command("seed_demo_orders", verbosity=0)
    assert Order.objects.count() == 5


def test_demo_orders_need_the_demo_customer_and_skip_quietly_without(capsys):
    call_command("seed_demo_orders")
    assert "demo orders not loaded" in capsys.readouterr().out
    assert not Order.objects.exists()
