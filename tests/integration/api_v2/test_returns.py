"""v2 returns: the same service and errors as v1's, through the async API."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from tests.factories import CustomerFactory
from tests.http import error
from tests.integration.api_v1.test_returns import RETURN_FIELDS, delivered
from tests.integration.api_v2.test_orders import asend

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_return_on_v2(async_client, shop, customer):
    order, item = await sync_to_async(delivered)(shop, customer, 2)
    url = f"/api/v2/orders/{order.pk}/returns"
    created = await asend(async_client, "post", url, customer,
                          {"item_id": item.pk, "quantity": 2, "reason": "too_large"})  # fmt: skip
    assert created.status_code == 201, created.content
    assert set(created.json()) == RETURN_FIELDS
    listed = await asend(async_client, "get", url, customer)
    assert [r["id"] for r in listed.json()["items"]] == [created.json()["id"]]
    over = await asend(async_client, "post", url, customer,
                       {"item_id": item.pk, "reason": "other"})  # fmt: skip
    assert over.status_code == 409
    assert error(over)["code"] == "return_quantity_exceeded"
    bad = await asend(async_client, "post", url, customer, {"item_id": item.pk, "reason": "meh"})
    assert bad.status_code == 400
    stranger = await sync_to_async(CustomerFactory.create)()
    assert (await asend(async_client, "get", url, stranger)).status_code == 404
    assert (await async_client.get(url)).status_code == 401
