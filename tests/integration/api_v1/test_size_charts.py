"""v1 /vendor/size-charts: a vendor's own charts (create, list, read, replace,
delete), clear 400s, and nobody else's."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory, StaffFactory, VendorFactory, category_tree_fixture
from tests.http import error
from tests.integration.orders_api import send

pytestmark = pytest.mark.django_db

URL = "/api/v1/vendor/size-charts"
ROWS = [
    {"label": "S", "chest_min": 84, "chest_max": 88, "waist_min": 68, "waist_max": 72},
    {"label": "M", "chest_min": 88, "chest_max": 96, "length_min": 100, "length_max": 104},
]
CHART = {"name": "Dresses", "fit_type": "slim", "ease_cm": 4, "rows": ROWS}


def test_a_vendor_creates_lists_reads_replaces_and_deletes_its_chart(client):
    tree = category_tree_fixture()
    ada = VendorFactory.create()
    created = send(client, "post", URL, ada, {**CHART, "category": tree["Dresses"].pk})
    assert created.status_code == 201, created.content
    chart = created.json()
    assert (chart["name"], chart["category"], chart["fit_type"], chart["ease_cm"]) == (
        "Dresses", tree["Dresses"].pk, "slim", 4.0
    )  # fmt: skip
    assert [r["label"] for r in chart["rows"]] == ["S", "M"]
    assert chart["rows"][1]["chest_max"] == 96.0
    assert chart["rows"][1]["waist_min"] is None
    url = f"{URL}/{chart['id']}"
    assert [c["id"] for c in send(client, "get", URL, ada).json()] == [chart["id"]]
    assert send(client, "get", url, ada).json() == chart
    replaced = send(client, "put", url, ada, {"name": "All", "rows": ROWS[:1]})
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["category"], replaced.json()["brand"]) == (None, "")
    assert [r["label"] for r in replaced.json()["rows"]] == ["S"]
    assert send(client, "delete", url, ada).status_code == 204
    assert send(client, "get", url, ada).status_code == 404


def test_another_vendors_chart_is_not_found(client):
    ada, eko = VendorFactory.create(), VendorFactory.create()
    chart = send(client, "post", URL, ada, CHART).json()
    url = f"{URL}/{chart['id']}"
    for method, body in (("get", None), ("put", CHART), ("delete", None)):
        response = send(client, method, url, eko, body)
        assert response.status_code == 404, method
        assert error(response)["code"] == "not_found"
    assert send(client, "get", URL, eko).json() == []
    assert send(client, "get", url, ada).status_code == 200


def test_size_charts_are_for_vendors(client):
    ada = VendorFactory.create()
    assert send(client, "get", URL).status_code == 401
    for user in (CustomerFactory.create(), StaffFactory.create()):
        assert send(client, "get", URL, user).status_code == 403
        assert send(client, "post", URL, user, CHART).status_code == 403
    assert send(client, "get", URL, ada).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rows": []}, "rows"),
        ({"rows": [{"label": "M", "chest_min": 96, "chest_max": 88}]}, "rows.0.chest_min"),
        ({"rows": [{"label": "M", "chest_min": 90}]}, "rows.0.chest_min"),
        ({"rows": [{"label": "M"}]}, "rows.0"),
        (
            {
                "rows": [
                    {"label": "M", "chest_min": 1, "chest_max": 2},
                    {"label": "m", "chest_min": 3, "chest_max": 4},
                ]
            },
            "rows.1.label",
        ),
        ({"category": 999999}, "category"),
        ({"ease_cm": 45}, "ease_cm"),
        ({"fit_type": "baggy"}, "fit_type"),
        ({"colour": "red"}, "colour"),
        ({"rows": [{"label": "M", "chest_min": "wide", "chest_max": 90}]}, "rows.0.chest_min"),
    ],
)
def test_an_invalid_chart_is_a_400_naming_the_field(client, change, field):
    ada = VendorFactory.create()
    response = send(client, "post", URL, ada, {**CHART, **change})
    assert response.status_code == 400, response.content
    body = error(response)
    assert body["code"] == "validation_error"
    assert field in body["details"], body
    assert send(client, "get", URL, ada).json() == []


def test_a_malformed_body_is_a_400(client):
    response = send(client, "post", URL, VendorFactory.create(), "{oops")
    assert response.status_code == 400
    assert error(response)["code"] == "malformed_json"
