"""v2 search with `fits_me=true`: only products in stock in the size their chart
recommends for the signed-in customer's body profile; the most specific chart of a
product decides; the query count does not grow with the products or charts."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from shared_domain.sizing import services
from shared_domain.sizing.models import BodyProfile
from tests.factories import CustomerFactory, VendorFactory, category_tree_fixture, make_product
from tests.http import error
from tests.integration.api_v2.test_orders import asend
from tests.integration.orders_api import auth

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    {"label": "S", "chest_min": 84, "chest_max": 88, "waist_min": 68, "waist_max": 72},
    {"label": "M", "chest_min": 88, "chest_max": 96, "waist_min": 72, "waist_max": 80},
    {"label": "L", "chest_min": 96, "chest_max": 104, "waist_min": 80, "waist_max": 88},
]
# The shirts run large: a 92 cm chest is an S there.
SHIRT_ROWS = [
    {"label": "S", "chest_min": 88, "chest_max": 96, "waist_min": 72, "waist_max": 80},
    {"label": "M", "chest_min": 96, "chest_max": 104, "waist_min": 80, "waist_max": 88},
]
URL = "/api/v2/products/search?fits_me=true&limit=50"


def _shop_sync(extra_products=0):
    tree = category_tree_fixture()
    ada, eko = VendorFactory.create(), VendorFactory.create()
    for name, rows, category in (("All", ROWS, None), ("Shirts", SHIRT_ROWS, tree["Shirts"])):
        services.size_chart_create(
            vendor_id=ada.vendor_profile.pk,
            data={"name": name, "rows": rows, "category": category.pk if category else None},
        )

    def product(vendor, title, category, *variants):
        return make_product(vendor, title=title, category=category, variants=[
            (f"{title}-{size}", size, "red", stock) for size, stock in variants
        ])  # fmt: skip

    made = {
        "dress_m": product(ada, "dress-m", tree["Maxi"], ("M", 2), ("L", 1)),
        "dress_l": product(ada, "dress-l", tree["Maxi"], ("L", 3)),
        "dress_m_gone": product(ada, "dress-gone", tree["Maxi"], ("M", 0), ("S", 2)),
        "shirt_s": product(ada, "shirt-s", tree["Shirts"], ("S", 1)),
        "shirt_m": product(ada, "shirt-m", tree["Shirts"], ("M", 4)),  # M by "All", not here
        "no_chart": product(eko, "eko-m", tree["Maxi"], ("M", 5)),
    }
    for n in range(extra_products):
        product(ada, f"more-{n}", tree["Maxi"], ("M", 1))
        product(eko, f"eko-more-{n}", tree["Maxi"], ("M", 1))
    buyer = CustomerFactory.create()
    BodyProfile.objects.create(user=buyer, chest_cm=92, waist_cm=76)
    return {"buyer": buyer, "ada": ada, **made}


async def test_only_products_in_stock_in_my_size(async_client):
    shop = await sync_to_async(_shop_sync)()
    response = await asend(async_client, "get", URL, shop["buyer"])
    assert response.status_code == 200, response.content
    found = {item["id"] for item in response.json()["items"]}
    assert found == {shop["dress_m"].pk, shop["shirt_s"].pk}
    assert response.json()["total"] == 2
    # Without the filter, everything is listed.
    everything = await asend(async_client, "get", "/api/v2/products/search?limit=50")
    assert len(everything.json()["items"]) == 6


async def test_fits_me_needs_a_signed_in_customer_with_measurements(async_client):
    shop = await sync_to_async(_shop_sync)()
    anonymous = await async_client.get(URL)
    assert anonymous.status_code == 401
    assert error(anonymous)["code"] == "not_authenticated"
    bare = await sync_to_async(CustomerFactory.create)()
    no_profile = await asend(async_client, "get", URL, bare)
    assert no_profile.status_code == 400
    assert error(no_profile)["code"] == "body_profile_required"
    await sync_to_async(BodyProfile.objects.create)(user=bare, height_cm=170)
    no_girths = await asend(async_client, "get", URL, bare)  # nothing a chart scores
    assert no_girths.status_code == 400
    assert (await asend(async_client, "get", URL, shop["ada"])).status_code == 400


async def test_the_query_count_does_not_grow_with_the_catalog(async_client, queries):
    shop = await sync_to_async(_shop_sync)(extra_products=15)
    headers = await sync_to_async(auth)(shop["buyer"])
    await async_client.get(URL, headers=headers)  # warm the category tree and facets
    queries.clear()
    response = await async_client.get(URL.replace("limit=50", "limit=40"), headers=headers)
    assert len(response.json()["items"]) == 17
    # The caller, the profile, the charts, their sizes; then the page of items and its
    # total (the facets were cached by the first request) — 17 products or 2 alike.
    assert len(queries) == 6, queries
