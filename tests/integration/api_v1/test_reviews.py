"""GET /api/v1/products/{id}/reviews and the rating fields reviews fill on the product
detail and list (v1 and v2)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from shared_domain.catalog.services import review_add
from tests.factories import (
    CustomerFactory,
    VendorFactory,
    category_tree_fixture,
    make_order,
    make_product,
)
from tests.http import error


def _reviewed():
    """A product on sale with reviews of 5, 4 and 2 stars (written in that order)."""
    tree = category_tree_fixture()
    vendor = VendorFactory.create()
    product = make_product(
        vendor, title="Adire Kimono", category=tree["Tops"], variants=[("AK-1", "M", "blue", 9)]
    )
    customer = CustomerFactory.create(full_name="Tolu Bakare")
    order = make_order(customer, vendor=vendor, product=product, status="delivered", items=3)
    for item, rating in zip(order.items.all(), (5, 4, 2), strict=True):
        review_add(product_id=product.pk, author_id=customer.pk, order_item_id=item.pk,
                   rating=rating, text=f"<script>{rating}</script>")  # fmt: skip
    return product


@pytest.fixture
def reviewed():
    return _reviewed()


@pytest.mark.django_db
def test_reviews_are_public_newest_first_and_paged(client, reviewed):
    response = client.get(f"/api/v1/products/{reviewed.pk}/reviews?limit=2")
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 0)
    assert [r["rating"] for r in body["items"]] == [2, 4]
    assert set(body["items"][0]) == {"id", "rating", "text", "author_name", "created_at"}
    # Stored and returned as text; escaping is the renderer's job.
    assert body["items"][0]["text"] == "<script>2</script>"
    assert body["items"][0]["author_name"] == "Tolu B."
    rest = client.get(f"/api/v1/products/{reviewed.pk}/reviews?limit=2&offset=2").json()
    assert [r["rating"] for r in rest["items"]] == [5]


@pytest.mark.django_db
def test_reviews_list_defaults_and_bounds(client, reviewed):
    body = client.get(f"/api/v1/products/{reviewed.pk}/reviews").json()
    assert (body["limit"], body["offset"], len(body["items"])) == (20, 0, 3)
    for query in ("limit=0", "limit=101", "offset=-1", "limit=x"):
        response = client.get(f"/api/v1/products/{reviewed.pk}/reviews?{query}")
        assert response.status_code == 400, query
        assert error(response)["code"] == "validation_error"


@pytest.mark.django_db
def test_reviews_of_an_unknown_or_unpublished_product_are_404(client, reviewed):
    assert client.get("/api/v1/products/999999/reviews").status_code == 404
    draft = make_product(VendorFactory.create(), title="Draft", category=None, publish=False)
    assert client.get(f"/api/v1/products/{draft.pk}/reviews").status_code == 404


@pytest.mark.django_db
def test_reviews_list_query_budget(client, reviewed, django_assert_num_queries):
    with django_assert_num_queries(3):
        assert client.get(f"/api/v1/products/{reviewed.pk}/reviews").status_code == 200


@pytest.mark.django_db
def test_v1_detail_and_list_carry_rating_and_reviews_count(client, reviewed):
    detail = client.get(f"/api/v1/products/{reviewed.pk}").json()
    assert detail["rating"] == {"average": "3.67", "count": 3}
    assert detail["reviews_count"] == 3
    (card,) = client.get("/api/v1/products").json()["items"]
    assert (card["rating"], card["rating_count"], card["reviews_count"]) == ("3.67", 3, 3)


@pytest.mark.django_db(transaction=True)
async def test_v2_detail_and_search_carry_rating_and_reviews_count(async_client):
    product = await sync_to_async(_reviewed)()
    detail = (await async_client.get(f"/api/v2/products/{product.pk}")).json()
    assert detail["rating"] == {"average": "3.67", "count": 3}
    assert detail["reviews_count"] == 3
    (card,) = (await async_client.get("/api/v2/products/search")).json()["items"]
    assert (card["rating"], card["reviews_count"]) == ("3.67", 3)
