"""Orders in the admin: visible to staff, changed only through the services."""

from __future__ import annotations

import pytest

from shared_domain.common.models import AuditLog
from shared_domain.orders import services
from shared_domain.orders.models import Order
from tests.factories import StaffFactory
from tests.integration.orders.conftest import ADDRESS, stock_of

pytestmark = pytest.mark.django_db

ADMIN = "/api/v1/admin/orders/order/"


@pytest.fixture
def order(shop, customer):
    placed = services.order_place(
        customer=customer, idempotency_key="adm", shipping_address=ADDRESS,
        items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 2}],
    )  # fmt: skip
    return Order.objects.get(pk=placed.order_id)


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory.create(is_superuser=True))
    return client


def test_staff_see_orders_with_their_parts_items_and_history(staff_client, order):
    assert order.number in staff_client.get(ADMIN).content.decode()
    page = staff_client.get(f"{ADMIN}{order.pk}/change/").content.decode()
    assert "DR-RED-M" in page
    assert "pending_payment" in page


def test_the_status_is_not_editable_in_the_admin(staff_client, order):
    staff_client.post(f"{ADMIN}{order.pk}/change/", {"status": "delivered"})
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_the_cancel_action_goes_through_the_service_and_is_audited(staff_client, order, shop):
    response = staff_client.post(
        ADMIN, {"action": "cancel_orders", "_selected_action": [order.pk]}, follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "staff")
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 0)
    assert AuditLog.objects.filter(action="order_cancel", subject_id=str(order.pk)).exists()
