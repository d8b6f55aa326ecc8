"""v2 sizing: PUT/GET /me/body-profile and /products/{id}/size-recommendation, with
their errors and who may call them."""

from __future__ import annotations

import pytest

from shared_domain.sizing import services
from tests.factories import CustomerFactory, VendorFactory, category_tree_fixture, make_product
from tests.http import error
from tests.integration.api_v2.test_orders import asend

pytestmark = pytest.mark.django_db(transaction=True)

PROFILE = "/api/v2/me/body-profile"
ROWS = [
    {"label": "S", "chest_min": 84, "chest_max": 88, "waist_min": 68, "waist_max": 72},
    {"label": "M", "chest_min": 88, "chest_max": 96, "waist_min": 72, "waist_max": 80},
    {"label": "L", "chest_min": 96, "chest_max": 104, "waist_min": 80, "waist_max": 88},
]


def _catalog_sync():
    tree = category_tree_fixture()
    ada = VendorFactory.create()
    dress = make_product(
        ada, title="Maxi", category=tree["Maxi"], variants=[("DR-M", "M", "red", 3)]
    )
    bare = make_product(
        ada, title="Top", category=tree["Tops"], variants=[("TP-M", "M", "red", 3)]
    )
    services.size_chart_create(
        vendor_id=ada.vendor_profile.pk,
        data={"name": "Dresses", "category": tree["Dresses"].pk, "rows": ROWS},
    )
    return {"ada": ada, "dress": dress, "bare": bare, "buyer": CustomerFactory.create()}


@pytest.fixture
def catalog():
    return _catalog_sync()


async def test_a_customer_saves_and_reads_the_body_profile(async_client, catalog):
    buyer = catalog["buyer"]
    missing = await asend(async_client, "get", PROFILE, buyer)
    assert missing.status_code == 404
    assert error(missing)["code"] == "no_body_profile"
    body = {"height_cm": 170, "chest_cm": 92, "waist_cm": 76, "hips_cm": 100}
    saved = await asend(async_client, "put", PROFILE, buyer, body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["chest_cm"] == 92.0
    assert saved.json()["fit_preference"] == "regular"
    read = (await asend(async_client, "get", PROFILE, buyer)).json()
    assert (read["height_cm"], read["hips_cm"], read["inseam_cm"]) == (170.0, 100.0, None)
    # PUT replaces: what is not sent is unknown again.
    await asend(async_client, "put", PROFILE, buyer, {"chest_cm": 90, "fit_preference": "slim"})
    read = (await asend(async_client, "get", PROFILE, buyer)).json()
    assert (read["chest_cm"], read["height_cm"], read["fit_preference"]) == (90.0, None, "slim")


async def test_implausible_or_malformed_measurements_are_400s_naming_the_field(
    async_client, catalog
):
    buyer = catalog["buyer"]
    out_of_range = await asend(
        async_client, "put", PROFILE, buyer, {"height_cm": 900, "waist_cm": 1}
    )
    assert out_of_range.status_code == 400
    assert set(error(out_of_range)["details"]) == {"height_cm", "waist_cm"}
    for body in ({"chest_cm": "wide"}, {"fit_preference": "baggy"}, {"colour": "red"}):
        response = await asend(async_client, "put", PROFILE, buyer, body)
        assert response.status_code == 400, body
        assert error(response)["code"] == "validation_error"
        assert set(body) <= {k.split(".")[-1] for k in error(response)["details"]}, body
    malformed = await asend(async_client, "put", PROFILE, buyer, "{not json")
    assert malformed.status_code == 400


async def test_only_signed_in_customers_have_a_body_profile(async_client, catalog):
    assert (await asend(async_client, "get", PROFILE)).status_code == 401
    assert (await asend(async_client, "put", PROFILE, None, {"chest_cm": 90})).status_code == 401
    vendor = await asend(async_client, "put", PROFILE, catalog["ada"], {"chest_cm": 90})
    assert vendor.status_code == 403
    assert (await asend(async_client, "get", PROFILE, catalog["ada"])).status_code == 403


async def test_recommendation_from_the_profile_of_the_caller(async_client, catalog):
    buyer, dress = catalog["buyer"], catalog["dress"]
    url = f"/api/v2/products/{dress.pk}/size-recommendation"
    none = await asend(async_client, "get", url, buyer)
    assert none.status_code == 400
    assert error(none)["code"] == "no_measurements"
    await asend(async_client, "put", PROFILE, buyer, {"chest_cm": 92, "waist_cm": 76})
    response = await asend(async_client, "get", url, buyer)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"size", "confidence", "alternatives", "reason"}
    assert body["size"] == "M"
    assert 0 < body["confidence"] <= 1
    assert all(set(a) == {"size", "confidence"} for a in body["alternatives"])


async def test_anonymous_shoppers_give_measurements_in_the_query(async_client, catalog):
    url = f"/api/v2/products/{catalog['dress'].pk}/size-recommendation"
    response = await asend(async_client, "get", f"{url}?chest_cm=100&waist_cm=84")
    assert response.status_code == 200, response.content
    assert response.json()["size"] == "L"
    slim = await asend(async_client, "get", f"{url}?chest_cm=96&fit_preference=slim")
    assert slim.json()["size"] == "M"
    assert (await asend(async_client, "get", url)).status_code == 400
    for bad in ("chest_cm=abc", "chest_cm=500", "fit_preference=baggy"):
        response = await asend(async_client, "get", f"{url}?{bad}")
        assert response.status_code == 400, bad
        assert error(response)["code"] == "validation_error", bad
    unusable = await asend(async_client, "get", f"{url}?inseam_cm=80")
    assert error(unusable)["code"] == "no_usable_measurements"
    bad_token = await async_client.get(url, headers={"Authorization": "Bearer nonsense"})
    assert bad_token.status_code == 401


async def test_no_chart_or_no_product_is_404(async_client, catalog):
    bare = await asend(
        async_client,
        "get",
        f"/api/v2/products/{catalog['bare'].pk}/size-recommendation?chest_cm=90",
    )
    assert bare.status_code == 404
    assert error(bare)["code"] == "no_size_chart"
    gone = await asend(
        async_client, "get", "/api/v2/products/999999/size-recommendation?chest_cm=90"
    )
    assert gone.status_code == 404
    assert error(gone)["code"] == "not_found"


async def test_sizes_worn_in_other_brands_are_kept_and_used_without_measurements(
    async_client, catalog
):
    buyer = catalog["buyer"]
    worn = [{"brand": "Zara", "system": "uk", "size": "12"}]
    saved = await asend(async_client, "put", PROFILE, buyer, {"brand_sizes": worn})
    assert saved.status_code == 200, saved.content
    assert saved.json()["brand_sizes"] == worn
    response = await asend(
        async_client, "get", f"/api/v2/products/{catalog['dress'].pk}/size-recommendation", buyer
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # UK 12 is an M (women's dress sizes); a weak signal.
    assert (body["size"], body["confidence"]) == ("M", 0.35)
    assert "Zara" in body["reason"]
    bad = await asend(async_client, "put", PROFILE, buyer,
                      {"brand_sizes": [{"brand": "Zara", "system": "uk", "size": "13"}]})  # fmt: skip
    assert bad.status_code == 400
    assert "brand_sizes.0.size" in error(bad)["details"]


async def test_the_reason_names_a_brand_that_voted_for_the_answer(async_client, catalog):
    """Two brands say M, one says S: the answer is M, and its reason cites a brand that
    gave M, not the first one listed."""
    buyer = catalog["buyer"]
    worn = [{"brand": "Asos", "system": "uk", "size": "8"},
            {"brand": "Zara", "system": "uk", "size": "12"},
            {"brand": "Mango", "system": "uk", "size": "12"}]  # fmt: skip
    saved = await asend(async_client, "put", PROFILE, buyer, {"brand_sizes": worn})
    assert saved.status_code == 200, saved.content
    response = await asend(
        async_client, "get", f"/api/v2/products/{catalog['dress'].pk}/size-recommendation", buyer
    )
    body = response.json()
    assert body["size"] == "M"
    assert "Zara" in body["reason"]
    assert "Asos" not in body["reason"]


async def test_size_conversion_endpoint(async_client):
    ok = await async_client.get("/api/v2/sizes/convert?system=uk&size=12&to=us")
    assert ok.status_code == 200
    assert ok.json() == {"garment": "women_tops", "system": "uk", "size": "12", "to": "us",
                         "sizes": ["8"]}  # fmt: skip
    men = await async_client.get(
        "/api/v2/sizes/convert?system=letter&size=m&to=eu&garment=men_tops"
    )
    assert men.json()["sizes"] == ["48", "50"]
    for query, field in (("system=jp&size=12&to=us", "system"), ("system=uk&size=13&to=us", "size"),
                         ("system=uk&size=12&to=xx", "to"),
                         ("system=uk&size=12&to=us&garment=hats", "garment")):  # fmt: skip
        bad = await async_client.get(f"/api/v2/sizes/convert?{query}")
        assert bad.status_code == 400, query
        assert field in error(bad)["details"]
    missing = await async_client.get("/api/v2/sizes/convert?system=uk")
    assert missing.status_code == 400
