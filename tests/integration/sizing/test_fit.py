"""Fit learned from deliveries and returns: the per-product fit signal on the product
detail of both APIs, and the recommendation blending the chart with the outcomes of
similar bodies (pgvector nearest neighbours)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.orders import services as orders
from shared_domain.sizing import services
from shared_domain.sizing.models import BodyProfile, FitOutcome
from shared_domain.sizing.outcomes import fit_outcomes_refresh
from shared_domain.sizing.vectors import body_vector
from tests.factories import (
    CustomerFactory,
    VendorFactory,
    category_tree_fixture,
    make_order,
    make_product,
)

pytestmark = pytest.mark.django_db

ROWS = [
    {"label": "S", "chest_min": 84, "chest_max": 88, "waist_min": 68, "waist_max": 72},
    {"label": "M", "chest_min": 88, "chest_max": 96, "waist_min": 72, "waist_max": 80},
    {"label": "L", "chest_min": 96, "chest_max": 104, "waist_min": 80, "waist_max": 88},
]
BODY = {"chest_cm": Decimal(92), "waist_cm": Decimal(76), "height_cm": Decimal(172)}


@pytest.fixture
def shop():
    tree = category_tree_fixture()
    ada = VendorFactory.create()
    dress = make_product(ada, title="Maxi", category=tree["Maxi"], brand="Eko Wear",
                         variants=[("DR-M", "M", "red", 9), ("DR-L", "L", "red", 9)])  # fmt: skip
    services.size_chart_create(vendor_id=ada.vendor_profile.pk,
                               data={"name": "All", "rows": ROWS})  # fmt: skip
    return {"ada": ada, "dress": dress}


def buy(shop, units, reasons=()):
    """A customer (with a body profile) whose order of `units` dresses was delivered,
    then returned one unit per reason; the outcome refreshed as the handlers do."""
    customer = CustomerFactory.create()
    BodyProfile.objects.create(user=customer, **BODY)
    order = make_order(customer, vendor=shop["ada"], product=shop["dress"],
                       status="delivered", items=units)  # fmt: skip
    items = list(order.items.all())
    fit_outcomes_refresh(vendor_order_id=items[0].vendor_order_id)
    for item, reason in zip(items, reasons, strict=False):
        orders.return_request(customer=customer, order_id=order.pk,
                              data={"item_id": item.pk, "reason": reason})  # fmt: skip
        fit_outcomes_refresh(item_ids=[item.pk])
    return customer


def test_the_fit_signal_shows_on_both_product_details(client, shop):
    buy(shop, 3, ["too_small", "too_small", "not_as_described"])
    buy(shop, 3, ["too_small"])
    outcome = FitOutcome.objects.order_by("pk").first()
    assert outcome is not None
    assert outcome.body is not None
    assert list(outcome.body) == pytest.approx(body_vector(BODY), abs=1e-4)
    expected = {"verdict": "runs_small", "returns_too_small": 3, "returns_too_large": 0,
                "kept": 2}  # fmt: skip
    v1 = client.get(f"/api/v1/products/{shop['dress'].pk}").json()
    assert v1["fit_signal"] == expected


@pytest.mark.django_db(transaction=True)
async def test_the_fit_signal_on_v2(async_client, shop):
    from asgiref.sync import sync_to_async

    await sync_to_async(buy)(shop, 2)
    body = (await async_client.get(f"/api/v2/products/{shop['dress'].pk}")).json()
    # Two units: too few for a verdict.
    assert body["fit_signal"] == {"verdict": None, "returns_too_small": 0,
                                  "returns_too_large": 0, "kept": 2}  # fmt: skip


def test_a_product_without_deliveries_has_an_empty_signal(client, shop):
    body = client.get(f"/api/v1/products/{shop['dress'].pk}").json()
    assert body["fit_signal"] == {"verdict": None, "returns_too_small": 0,
                                  "returns_too_large": 0, "kept": 0}  # fmt: skip


def _outcome(shop, n, size, body, **counts):
    FitOutcome.objects.create(
        order_item_id=10_000 + n, customer=CustomerFactory.create(),
        product_id=shop["dress"].pk, vendor_id=shop["ada"].vendor_profile.pk,
        brand_key="EKO WEAR", size_label=size, body=body_vector(body), **counts,
    )  # fmt: skip


def _recommend(shop, blend=True):
    query = {"chest_cm": "92", "waist_cm": "76", "height_cm": "172"}
    return services.size_recommend(
        product_id=shop["dress"].pk, user=None, measurements=query, blend=blend
    )


def test_blending_follows_similar_bodies_when_the_chart_is_wrong(shop):
    """The chart says M for a 92 cm chest; buyers like that returned M as too small
    and kept L: the product runs a size small."""
    assert _recommend(shop).size == "M"  # no outcomes yet: the chart alone
    for n in range(6):
        near = {"chest_cm": 91 + n % 3, "waist_cm": 75 + n % 2, "height_cm": 170 + n}
        _outcome(shop, n, "M", near, too_small=1)
        _outcome(shop, 100 + n, "L", near, kept=1)
    # Far bodies who kept M (much smaller people) barely count.
    for n in range(3):
        _outcome(shop, 200 + n, "M", {"chest_cm": 80, "waist_cm": 62, "height_cm": 150}, kept=1)
    chart_only = _recommend(shop, blend=False)
    blended = _recommend(shop)
    assert chart_only.size == "M"
    assert blended.size == "L"
    assert "M" in blended.reason
    assert "L" in blended.reason


def test_blending_keeps_a_right_chart(shop):
    chart_only = _recommend(shop, blend=False)
    for n in range(8):
        near = {"chest_cm": 90 + n % 4, "waist_cm": 74 + n % 3, "height_cm": 168 + n}
        _outcome(shop, n, "M", near, kept=1)
    _outcome(shop, 50, "S", {"chest_cm": 93, "waist_cm": 77, "height_cm": 172}, too_small=1)
    blended = _recommend(shop)
    assert blended.size == chart_only.size == "M"
    assert blended.confidence >= chart_only.confidence


def test_neighbours_of_the_same_vendor_and_brand_stand_in_for_a_new_product(shop):
    tree_cat = shop["dress"].category
    twin = make_product(shop["ada"], title="Maxi 2", category=tree_cat, brand="eko wear",
                        variants=[("DR2-M", "M", "red", 3)])  # fmt: skip
    for n in range(6):
        near = {"chest_cm": 92, "waist_cm": 76, "height_cm": 170 + n}
        _outcome(shop, n, "M", near, too_small=1)
    rec = services.size_recommend(
        product_id=twin.pk, user=None,
        measurements={"chest_cm": "92", "waist_cm": "76", "height_cm": "172"},
    )  # fmt: skip
    assert rec.size == "L"


def test_neighbours_are_scored_on_the_measurements_the_customer_gave():
    """The chart also has hips; the customer gives chest and waist only. Neighbours of
    the same body who kept the chart's size must confirm it: their own chart size is
    read on chest and waist too, not on a population-mean hips standing in for theirs."""
    tree = category_tree_fixture()
    bo = VendorFactory.create()
    skirt = make_product(bo, title="Wrap", category=tree["Maxi"], brand="Bo",
                         variants=[("WR-S", "S", "red", 9), ("WR-M", "M", "red", 9)])  # fmt: skip
    xs = {"label": "XS", "chest_min": 80, "chest_max": 84, "waist_min": 64, "waist_max": 68}
    rows = [{**row, "hips_min": low, "hips_max": low + 8}
            for row, low in zip([xs, *ROWS], (80, 88, 96, 104), strict=True)]  # fmt: skip
    services.size_chart_create(vendor_id=bo.vendor_profile.pk,
                               data={"name": "With hips", "rows": rows})  # fmt: skip
    body = {"chest_cm": 87, "waist_cm": 71, "height_cm": 165}
    for n in range(8):
        FitOutcome.objects.create(
            order_item_id=20_000 + n, customer=CustomerFactory.create(),
            product_id=skirt.pk, vendor_id=bo.vendor_profile.pk, brand_key="BO",
            size_label="S", body=body_vector(body), kept=1,
        )  # fmt: skip
    query = {"chest_cm": "87", "waist_cm": "71", "height_cm": "165"}

    def recommend(blend: bool):
        return services.size_recommend(
            product_id=skirt.pk, user=None, measurements=query, blend=blend
        )

    chart_only, blended = recommend(False), recommend(True)
    assert chart_only.size == "S"
    assert blended.size == "S"
    assert blended.confidence >= chart_only.confidence
