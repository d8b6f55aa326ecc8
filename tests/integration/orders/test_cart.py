"""The cart: one line per variant, one currency, live prices and availability."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared_domain.catalog.services import product_archive, product_update, variant_deactivate
from shared_domain.common.errors import NotFound, PermissionDenied, ValidationFailed
from shared_domain.inventory.errors import OutOfStock
from shared_domain.inventory.services import stock_set
from shared_domain.orders import services
from shared_domain.orders.errors import CurrencyMismatch, VariantUnavailable
from shared_domain.orders.selectors import cart_view
from tests.factories import CustomerFactory, VendorFactory

pytestmark = pytest.mark.django_db


def test_adding_a_variant_twice_adds_to_its_line(shop, customer):
    variant = shop["variants"]["DR-RED-M"]
    first = services.cart_item_add(customer=customer, variant_id=variant.pk, quantity=1)
    again = services.cart_item_add(customer=customer, variant_id=variant.pk, quantity=2)
    assert first.pk == again.pk
    view = cart_view(customer=customer)
    assert [(line.sku, line.quantity, line.line_total) for line in view.items] == [
        ("DR-RED-M", 3, Decimal("75000.00"))
    ]
    assert (view.subtotal, view.currency, view.count) == (Decimal("75000.00"), "NGN", 1)


def test_the_cart_shows_todays_price(shop, customer):
    services.cart_item_add(
        customer=customer, variant_id=shop["variants"]["DR-RED-M"].pk, quantity=1
    )
    product_update(product=shop["dress"], data={"price": Decimal(20000)})
    assert cart_view(customer=customer).items[0].unit_price == Decimal("20000.00")


def test_lines_that_cannot_be_bought_are_flagged_not_dropped(shop, customer):
    v = shop["variants"]
    services.cart_item_add(customer=customer, variant_id=v["DR-RED-M"].pk, quantity=2)
    services.cart_item_add(customer=customer, variant_id=v["DR-RED-L"].pk, quantity=1)
    services.cart_item_add(customer=customer, variant_id=v["LS-BLU-L"].pk, quantity=1)
    stock_set(variant_id=v["DR-RED-M"].pk, quantity=1)
    stock_set(variant_id=v["DR-RED-L"].pk, quantity=0)
    product_archive(product=shop["shirt"])
    view = cart_view(customer=customer)
    assert [(line.sku, line.problem, line.available) for line in view.items] == [
        ("DR-RED-M", "insufficient_stock", 1),
        ("DR-RED-L", "out_of_stock", 0),
        ("LS-BLU-L", "unavailable", 3),
    ]
    assert view.subtotal == Decimal("75000.00")  # the lines on sale


def test_a_cart_holds_one_currency(shop, customer):
    product_update(product=shop["shirt"], data={"currency": "USD"})
    services.cart_item_add(
        customer=customer, variant_id=shop["variants"]["DR-RED-M"].pk, quantity=1
    )
    with pytest.raises(CurrencyMismatch) as caught:
        services.cart_item_add(
            customer=customer, variant_id=shop["variants"]["LS-BLU-L"].pk, quantity=1
        )
    assert caught.value.details == {"cart_currency": "NGN", "currency": "USD"}


def test_an_emptied_cart_takes_any_currency_again(shop, customer):
    product_update(product=shop["shirt"], data={"currency": "USD"})
    item = services.cart_item_add(
        customer=customer, variant_id=shop["variants"]["DR-RED-M"].pk, quantity=1
    )
    services.cart_item_remove(customer=customer, item_id=item.pk)
    services.cart_item_add(
        customer=customer, variant_id=shop["variants"]["LS-BLU-L"].pk, quantity=1
    )
    assert cart_view(customer=customer).currency == "USD"


@pytest.mark.parametrize("quantity", [0, -1, 21, 2.5, "2", True, None])
def test_quantities_are_whole_numbers_within_the_line_limit(shop, customer, quantity):
    with pytest.raises(ValidationFailed) as caught:
        services.cart_item_add(
            customer=customer, variant_id=shop["variants"]["DR-RED-M"].pk, quantity=quantity
        )
    assert "quantity" in caught.value.details


def test_more_than_the_stock_is_refused(shop, customer):
    with pytest.raises(OutOfStock) as caught:
        services.cart_item_add(
            customer=customer, variant_id=shop["variants"]["DR-RED-L"].pk, quantity=2
        )
    assert caught.value.details == {"variant_id": shop["variants"]["DR-RED-L"].pk, "available": 1}


def test_unknown_and_inactive_variants_are_refused(shop, customer):
    with pytest.raises(ValidationFailed):
        services.cart_item_add(customer=customer, variant_id=987654, quantity=1)
    variant_deactivate(variant=shop["variants"]["DR-RED-M"])
    with pytest.raises(VariantUnavailable):
        services.cart_item_add(
            customer=customer, variant_id=shop["variants"]["DR-RED-M"].pk, quantity=1
        )


def test_nobody_changes_another_customers_cart(shop, customer):
    item = services.cart_item_add(
        customer=customer, variant_id=shop["variants"]["DR-RED-M"].pk, quantity=1
    )
    other = CustomerFactory.create()
    with pytest.raises(NotFound):
        services.cart_item_update(customer=other, item_id=item.pk, quantity=2)
    with pytest.raises(NotFound):
        services.cart_item_remove(customer=other, item_id=item.pk)


def test_vendors_have_no_cart(shop):
    with pytest.raises(PermissionDenied):
        services.cart_item_add(
            customer=VendorFactory.create(), variant_id=shop["variants"]["DR-RED-M"].pk, quantity=1
        )


def test_reading_a_cart_costs_two_queries(shop, customer, django_assert_num_queries):
    for sku in ("DR-RED-M", "DR-RED-L", "LS-BLU-L"):
        services.cart_item_add(customer=customer, variant_id=shop["variants"][sku].pk, quantity=1)
    with django_assert_num_queries(2):
        cart_view(customer=customer)
