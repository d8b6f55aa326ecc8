"""What v1 and v2 must say alike: timestamps in one format, and one name for the sort
order (with the other accepted as its alias)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from asgiref.sync import sync_to_async

from shared_domain.accounts.models import User
from tests.factories import CustomerFactory, VendorFactory, category_tree_fixture, make_product
from tests.http import bearer, error, login

pytestmark = pytest.mark.django_db(transaction=True)  # v2 reads on connections of its own

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@pytest.mark.parametrize("microsecond", [0, 120_000, 123_456])
async def test_both_apis_write_timestamps_in_utc_with_microseconds(
    client, async_client, microsecond
):
    user = await sync_to_async(CustomerFactory.create)()
    joined = datetime(2026, 3, 4, 5, 6, 7, microsecond, tzinfo=UTC)
    await User.objects.filter(pk=user.pk).aupdate(date_joined=joined)
    access = (await sync_to_async(login)(client, user))["access"]
    v1 = await sync_to_async(client.get)("/api/v1/me", headers=bearer(access))
    v2 = await async_client.get("/api/v2/me", headers=bearer(access))
    stamp = f"2026-03-04T05:06:07.{microsecond:06d}Z"
    assert v1.json()["date_joined"] == v2.json()["date_joined"] == stamp
    # Timestamps the APIs write outside serializers (token expiry) follow it too.
    assert TIMESTAMP.fullmatch((await sync_to_async(login)(client, user))["access_expires_at"])


def _catalog():
    tree = category_tree_fixture()
    vendor = VendorFactory.create()
    for n, price in enumerate(["30000.00", "10000.00", "20000.00"]):
        make_product(
            vendor, title=f"Dress {n}", category=tree["Maxi"], price=price,
            variants=[(f"DR-{n}", "M", "Red", 2)],
        )  # fmt: skip


async def test_ordering_is_the_sort_parameter_on_both_apis_and_sort_its_alias(
    client, async_client
):
    await sync_to_async(_catalog)()

    def v1(query):
        return client.get(f"/api/v1/products?{query}")

    async def titles_v2(query):
        response = await async_client.get(f"/api/v2/products/search?{query}")
        assert response.status_code == 200, response.content
        return [item["title"] for item in response.json()["items"]]

    cheapest_first = ["Dress 1", "Dress 2", "Dress 0"]
    for query in ("ordering=price", "sort=price", "ordering=price&sort=price"):
        response = await sync_to_async(v1)(query)
        assert [i["title"] for i in response.json()["items"]] == cheapest_first, query
        assert await titles_v2(query) == cheapest_first, query
    assert await titles_v2("ordering=-price") == cheapest_first[::-1]

    both = "ordering=price&sort=-price"
    answers = [
        await sync_to_async(v1)(both),
        await async_client.get(f"/api/v2/products/search?{both}"),
    ]
    for response in answers:
        assert (response.status_code, error(response)["code"]) == (400, "validation_error")
        assert list(error(response)["details"]) == ["ordering"]
