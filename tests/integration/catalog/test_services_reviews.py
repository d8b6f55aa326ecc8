"""Reviews: validation, one per order item, and the product's rating kept exact as
reviews arrive, also when they race."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.catalog.errors import AlreadyReviewed
from shared_domain.catalog.models import Product, Review
from shared_domain.catalog.selectors import review_list_for_product
from shared_domain.catalog.services import review_add
from shared_domain.common.errors import NotFound, ValidationFailed
from tests.concurrency import names, race
from tests.factories import CustomerFactory, VendorFactory, make_order, make_product


@pytest.fixture
def bought(tree):
    """A customer's order of three units of one product, each its own order item."""
    vendor = VendorFactory.create()
    product = make_product(
        vendor, title="Wrap Dress", category=tree["Maxi"], variants=[("WD-1", "M", "red", 9)]
    )
    customer = CustomerFactory.create()
    order = make_order(customer, vendor=vendor, product=product, status="delivered", items=3)
    return {
        "product": product,
        "customer": customer,
        "item_ids": [i.pk for i in order.items.all()],
    }


def add(bought, index, rating, text=""):
    return review_add(
        product_id=bought["product"].pk,
        author_id=bought["customer"].pk,
        order_item_id=bought["item_ids"][index],
        rating=rating,
        text=text,
    )


@pytest.mark.django_db
def test_each_review_updates_the_average_and_count(bought):
    add(bought, 0, 5)
    add(bought, 1, 4)
    add(bought, 2, 4)
    product = Product.objects.get(pk=bought["product"].pk)
    assert product.rating_count == 3
    assert product.rating_sum == 13
    assert product.rating_avg == Decimal("4.33")


@pytest.mark.django_db
def test_a_review_keeps_the_text_stripped_and_as_written(bought):
    review = add(bought, 0, 3, "  <b>Lovely</b> & light  ")
    assert review.text == "<b>Lovely</b> & light"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rating", "text", "field"),
    [(0, "", "rating"), (6, "", "rating"), (True, "", "rating"), ("5", "", "rating"),
     (4.5, "", "rating"), (5, "x" * 2049, "text")],
)  # fmt: skip
def test_a_review_out_of_bounds_is_refused(bought, rating, text, field):
    with pytest.raises(ValidationFailed) as caught:
        add(bought, 0, rating, text)
    assert set(caught.value.details) == {field}
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_text_of_2048_characters_after_stripping_is_accepted(bought):
    assert len(add(bought, 0, 5, "  " + "x" * 2048 + "\n").text) == 2048


@pytest.mark.django_db
def test_a_second_review_of_an_item_is_already_reviewed_and_changes_nothing(bought):
    add(bought, 0, 5)
    with pytest.raises(AlreadyReviewed) as caught:
        add(bought, 0, 1)
    assert caught.value.http_status == 409
    product = Product.objects.get(pk=bought["product"].pk)
    assert (product.rating_count, product.rating_avg) == (1, Decimal("5.00"))


@pytest.mark.django_db
def test_a_review_of_an_unknown_product_is_not_found(bought):
    with pytest.raises(NotFound):
        review_add(product_id=0, author_id=bought["customer"].pk, order_item_id=1, rating=5,
                   text="")  # fmt: skip


@pytest.mark.django_db
def test_reviews_are_listed_newest_first_with_a_short_author_name(bought):
    bought["customer"].full_name = "Ada Okafor"
    bought["customer"].save()
    for index, rating in enumerate((3, 4, 5)):
        add(bought, index, rating)
    page = review_list_for_product(product_id=bought["product"].pk, limit=2, offset=0)
    assert page.total == 3
    assert [r.rating for r in page.items] == [5, 4]
    assert page.items[0].author_name == "Ada O."
    rest = review_list_for_product(product_id=bought["product"].pk, limit=2, offset=2)
    assert [r.rating for r in rest.items] == [3]


@pytest.mark.django_db(transaction=True)
def test_racing_reviews_of_different_items_are_both_counted(bought):
    outcomes = race(lambda: add(bought, 0, 5), lambda: add(bought, 1, 2))
    assert names(outcomes) == ["ok", "ok"]
    product = Product.objects.get(pk=bought["product"].pk)
    assert (product.rating_count, product.rating_sum) == (2, 7)
    assert product.rating_avg == Decimal("3.50")


@pytest.mark.django_db(transaction=True)
def test_racing_reviews_of_one_item_keep_one(bought):
    outcomes = race(lambda: add(bought, 0, 5), lambda: add(bought, 0, 1))
    assert names(outcomes) == ["AlreadyReviewed", "ok"]
    assert Review.objects.count() == 1
    product = Product.objects.get(pk=bought["product"].pk)
    assert product.rating_count == 1
    assert product.rating_sum == Review.objects.get().rating
