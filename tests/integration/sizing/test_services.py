"""Sizing against the database: the most specific chart of a product, body profile
validation, recommendations from a profile or given measurements."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.sizing import selectors, services
from shared_domain.sizing.errors import NoMeasurements, NoSizeChart
from tests.factories import CustomerFactory, VendorFactory, category_tree_fixture, make_product

pytestmark = pytest.mark.django_db

ROWS = [
    {"label": "S", "chest_min": 84, "chest_max": 88, "waist_min": 68, "waist_max": 72},
    {"label": "M", "chest_min": 88, "chest_max": 96, "waist_min": 72, "waist_max": 80},
    {"label": "L", "chest_min": 96, "chest_max": 104, "waist_min": 80, "waist_max": 88},
]


def chart(vendor, name, **fields):
    vendor_id = services.size_chart_vendor(user=vendor)
    return services.size_chart_create(
        vendor_id=vendor_id, data={"name": name, "rows": ROWS, **fields}
    )


def dress_of(vendor, tree, **extra):
    sku = f"DR-{vendor.pk}-M"
    return make_product(
        vendor, title="Maxi", category=tree["Maxi"], variants=[(sku, "M", "red", 5)], **extra
    )


@pytest.fixture
def tree():
    return category_tree_fixture()


def test_the_most_specific_chart_applies_category_then_brand(tree):
    ada = VendorFactory.create()
    dress = dress_of(ada, tree, brand="Ankara Co")
    chart(ada, "All")
    assert selectors.size_chart_for_product(product_id=dress.pk).name == "All"
    chart(ada, "Brand", brand="ankara co")
    assert selectors.size_chart_for_product(product_id=dress.pk).name == "Brand"
    chart(ada, "Women", category=tree["Women"].pk)
    assert selectors.size_chart_for_product(product_id=dress.pk).name == "Women"
    chart(ada, "Dresses", category=tree["Dresses"].pk)
    chart(ada, "Dresses of the brand", category=tree["Dresses"].pk, brand="Ankara Co")
    assert selectors.size_chart_for_product(product_id=dress.pk).name == "Dresses of the brand"
    chart(ada, "Shirts", category=tree["Shirts"].pk)
    chart(ada, "Other brand", category=tree["Maxi"].pk, brand="Other")
    assert selectors.size_chart_for_product(product_id=dress.pk).name == "Dresses of the brand"


def test_another_vendors_chart_never_applies(tree):
    ada, eko = VendorFactory.create(), VendorFactory.create()
    dress = dress_of(ada, tree)
    chart(eko, "Eko's")
    with pytest.raises(NoSizeChart):
        selectors.size_chart_for_product(product_id=dress.pk)


def test_a_chart_with_bad_rows_names_each_problem(tree):
    ada = VendorFactory.create()
    rows = [
        {"label": "M", "chest_min": 96, "chest_max": 88},
        {"label": "m", "waist_min": 70},
        {"label": "L"},
    ]
    with pytest.raises(ValidationFailed) as caught:
        chart(ada, "Bad", rows=rows, category=999999, ease_cm=40)
    assert set(caught.value.details) == {
        "rows.0.chest_min",
        "rows.1.label",
        "rows.1.waist_min",
        "rows.2",
        "category",
        "ease_cm",
    }


def test_only_vendors_manage_charts():
    with pytest.raises(PermissionDenied):
        services.size_chart_vendor(user=CustomerFactory.create())


def test_body_profile_out_of_range_values_name_their_fields():
    with pytest.raises(ValidationFailed) as caught:
        services.body_profile_put(
            user=CustomerFactory.create(),
            data={"height_cm": 20, "chest_cm": "wide", "fit_preference": "baggy", "x": 1},
        )
    assert set(caught.value.details) == {"height_cm", "chest_cm", "fit_preference", "x"}


def test_recommendation_uses_the_profile_or_given_measurements(tree):
    ada, buyer = VendorFactory.create(), CustomerFactory.create()
    dress = dress_of(ada, tree)
    chart(ada, "All")
    with pytest.raises(NoMeasurements):
        services.size_recommend(product_id=dress.pk, user=buyer, measurements={})
    services.body_profile_put(user=buyer, data={"chest_cm": 92, "waist_cm": 76})
    assert services.size_recommend(product_id=dress.pk, user=buyer, measurements={}).size == "M"
    given = services.size_recommend(
        product_id=dress.pk, user=buyer, measurements={"chest_cm": Decimal(100)}
    )
    assert given.size == "L"
    assert (
        services.size_recommend(
            product_id=dress.pk, user=None, measurements={"chest_cm": 86, "waist_cm": None}
        ).size
        == "S"
    )


def test_a_fit_preference_alone_applies_to_the_saved_profile(tree):
    ada, buyer = VendorFactory.create(), CustomerFactory.create()
    dress = dress_of(ada, tree)
    chart(ada, "All")
    services.body_profile_put(user=buyer, data={"chest_cm": 96})
    assert services.size_recommend(product_id=dress.pk, user=buyer, measurements={}).size == "L"
    slim = services.size_recommend(
        product_id=dress.pk, user=buyer, measurements={"fit_preference": "slim"}
    )
    assert slim.size == "M"
    assert "between M and L" in slim.reason
    with pytest.raises(NoMeasurements):
        services.size_recommend(
            product_id=dress.pk, user=None, measurements={"fit_preference": "slim"}
        )
