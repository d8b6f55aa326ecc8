"""order_place: what an order is made of, idempotency, and bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shared_domain.accounts.errors import EmailNotVerified
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.common.models import EventRecord
from shared_domain.inventory.errors import OutOfStock
from shared_domain.orders import services
from shared_domain.orders.errors import (
    CartEmpty,
    CurrencyMismatch,
    IdempotencyConflict,
    IdempotencyKeyRequired,
    VariantUnavailable,
)
from shared_domain.orders.models import CartItem, Order, OrderItem, OrderStatusChange
from shared_domain.orders.selectors import cart_view, order_view_for_customer
from tests.factories import CustomerFactory, VendorFactory
from tests.integration.orders.conftest import ADDRESS, stock_of

pytestmark = pytest.mark.django_db


def _place(customer, key="key-1", **kwargs):
    kwargs.setdefault("shipping_address", ADDRESS)
    return services.order_place(customer=customer, idempotency_key=key, **kwargs)


def test_checkout_of_a_two_vendor_cart_splits_the_order_and_reserves_stock(shop, customer):
    v = shop["variants"]
    services.cart_item_add(customer=customer, variant_id=v["DR-RED-M"].pk, quantity=2)
    services.cart_item_add(customer=customer, variant_id=v["LS-BLU-L"].pk, quantity=1)

    placed = _place(customer)

    assert placed.created
    order = Order.objects.get(pk=placed.order_id)
    assert order.status == "pending_payment"
    assert order.number.startswith("FS-")
    assert order.total == Decimal("65000.00")
    assert order.currency == "NGN"
    assert order.shipping_address["country"] == "NG"
    assert order.expires_at - timezone.now() > timedelta(minutes=29)
    parts = {p.vendor_id: p for p in order.vendor_orders.all()}
    ada, eko = shop["ada"].vendor_profile.pk, shop["eko"].vendor_profile.pk
    assert parts[ada].subtotal == Decimal("50000.00")
    assert parts[ada].commission_rate == Decimal("0.1000")
    assert parts[ada].commission_amount == Decimal("5000.00")
    assert parts[ada].vendor_payout == Decimal("45000.00")
    assert parts[eko].subtotal == Decimal("15000.00")
    item = OrderItem.objects.get(order=order, sku="DR-RED-M")
    assert (item.title, item.size, item.colour, item.unit_price, item.quantity) == (
        "Ankara Maxi Dress",
        "M",
        "red",
        Decimal("25000.00"),
        2,
    )
    assert stock_of(v["DR-RED-M"]) == (5, 0, 2)
    assert stock_of(v["LS-BLU-L"]) == (3, 0, 1)
    assert not CartItem.objects.filter(cart__customer=customer).exists()
    assert list(
        OrderStatusChange.objects.filter(order=order).values_list("to_status", flat=True)
    ) == ["pending_payment"]
    assert EventRecord.objects.filter(event_type="orders.OrderPlaced").count() == 1


def test_vendor_commission_rate_of_the_store_is_used(shop, customer):
    profile = shop["ada"].vendor_profile
    profile.commission_rate = Decimal("0.0750")
    profile.save()
    placed = _place(
        customer, items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]
    )
    part = Order.objects.get(pk=placed.order_id).vendor_orders.get()
    assert (part.commission_rate, part.commission_amount) == (
        Decimal("0.0750"),
        Decimal("1875.00"),
    )


def test_items_instead_of_the_cart_leave_the_cart_alone(shop, customer):
    v = shop["variants"]
    services.cart_item_add(customer=customer, variant_id=v["LS-BLU-L"].pk, quantity=1)
    _place(customer, items=[{"variant_id": v["DR-RED-M"].pk, "quantity": 1},
                            {"variant_id": v["DR-RED-M"].pk, "quantity": 2}])  # fmt: skip
    assert stock_of(v["DR-RED-M"]) == (5, 0, 3)
    assert cart_view(customer=customer).count == 1


def test_same_key_and_body_returns_the_same_order(shop, customer):
    items = [{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]
    first = _place(customer, items=items)
    again = _place(customer, items=items)
    assert (again.order_id, again.created) == (first.order_id, False)
    assert Order.objects.count() == 1
    assert stock_of(shop["variants"]["DR-RED-M"]) == (5, 0, 1)


def test_same_key_with_another_body_is_a_conflict(shop, customer):
    _place(customer, items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}])
    with pytest.raises(IdempotencyConflict):
        _place(customer, items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 2}])


def test_keys_are_per_customer(shop, customer):
    other = CustomerFactory.create()
    items = [{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]
    assert _place(customer, items=items).order_id != _place(other, items=items).order_id


@pytest.mark.parametrize("key", [None, "", "has space", "x" * 256, "caf\u00e9"])
def test_a_missing_or_malformed_key_is_refused(shop, customer, key):
    with pytest.raises(IdempotencyKeyRequired):
        _place(
            customer,
            key=key,
            items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}],
        )


def test_a_failed_checkout_frees_its_key(shop, customer):
    v = shop["variants"]["DR-RED-M"]
    with pytest.raises(OutOfStock):
        _place(customer, items=[{"variant_id": v.pk, "quantity": 6}])
    assert _place(customer, items=[{"variant_id": v.pk, "quantity": 6 - 1}]).created


def test_not_enough_stock_names_the_variant_and_what_is_left(shop, customer):
    v = shop["variants"]["DR-RED-L"]
    with pytest.raises(OutOfStock) as caught:
        _place(customer, items=[{"variant_id": v.pk, "quantity": 2}])
    assert caught.value.details == {"variant_id": v.pk, "available": 1, "requested": 2}
    assert "Only 1 left of SKU DR-RED-L" in caught.value.message
    assert Order.objects.count() == 0
    assert stock_of(v) == (1, 0, 0)


def test_an_empty_cart_cannot_be_checked_out(customer):
    with pytest.raises(CartEmpty):
        _place(customer)


def test_unverified_customers_and_vendors_cannot_check_out(shop):
    items = [{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]
    with pytest.raises(EmailNotVerified):
        _place(CustomerFactory.create(email_verified=False), items=items)
    with pytest.raises(PermissionDenied):
        _place(VendorFactory.create(), items=items)


def test_an_inactive_variant_cannot_be_bought(shop, customer):
    from shared_domain.catalog.services import variant_deactivate

    variant = shop["variants"]["DR-RED-M"]
    variant_deactivate(variant=variant)
    with pytest.raises(VariantUnavailable) as caught:
        _place(customer, items=[{"variant_id": variant.pk, "quantity": 1}])
    assert caught.value.details == {"variant_id": variant.pk}


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([], "items"),
        ("nope", "items"),
        ([{"variant_id": "1", "quantity": 1}], "items.0.variant_id"),
        ([{"variant_id": 1, "quantity": 0}], "items.0.quantity"),
        ([{"variant_id": 1, "quantity": -3}], "items.0.quantity"),
        ([{"variant_id": 1, "quantity": 10**9}], "items.0.quantity"),
        ([{"variant_id": 1, "quantity": True}], "items.0.quantity"),
        ([{"variant_id": 999999, "quantity": 1}], "items"),
    ],
)
def test_bad_items_are_validation_errors(shop, customer, items, field):
    with pytest.raises(ValidationFailed) as caught:
        _place(customer, items=items)
    assert field in caught.value.details


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "Nigeria"}, "shipping_address.country"),
        ({"phone": "call me"}, "shipping_address.phone"),
        ({"phone": "12"}, "shipping_address.phone"),
        ({"name": ""}, "shipping_address.name"),
        ({"city": 7}, "shipping_address.city"),
        ({"line1": "x" * 201}, "shipping_address.line1"),
        ({"favourite_colour": "red"}, "shipping_address.favourite_colour"),
    ],
)
def test_bad_addresses_are_validation_errors_per_field(shop, customer, change, field):
    items = [{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]
    with pytest.raises(ValidationFailed) as caught:
        _place(customer, items=items, shipping_address={**ADDRESS, **change})
    assert list(caught.value.details) == [field]
    assert Order.objects.count() == 0


def test_currencies_cannot_be_mixed_in_one_order(shop, customer):
    from shared_domain.catalog.services import product_update

    product_update(product=shop["shirt"], data={"currency": "USD"})
    v = shop["variants"]
    with pytest.raises(CurrencyMismatch):
        _place(customer, items=[{"variant_id": v["DR-RED-M"].pk, "quantity": 1},
                                {"variant_id": v["LS-BLU-L"].pk, "quantity": 1}])  # fmt: skip


def test_order_view_shows_each_vendor_part_with_its_items(shop, customer):
    v = shop["variants"]
    placed = _place(customer, items=[{"variant_id": v["DR-RED-M"].pk, "quantity": 1},
                                     {"variant_id": v["LS-BLU-L"].pk, "quantity": 2}])  # fmt: skip
    view = order_view_for_customer(customer=customer, order_id=placed.order_id)
    assert view.status == "pending_payment"
    assert view.expires_at is not None
    assert [(p.vendor.name, [i.sku for i in p.items]) for p in view.vendor_orders] == [
        (shop["ada"].vendor_profile.store_name, ["DR-RED-M"]),
        (shop["eko"].vendor_profile.store_name, ["LS-BLU-L"]),
    ]


def test_old_checkout_keys_are_forgotten_but_not_their_orders(shop, customer):
    from shared_domain.orders.models import CheckoutRequest

    placed = _place(
        customer, items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]
    )
    assert services.checkout_keys_forget(before=timezone.now() - timedelta(days=1)) == 0
    assert services.checkout_keys_forget(before=timezone.now() + timedelta(seconds=1)) == 1
    assert not CheckoutRequest.objects.exists()
    assert Order.objects.filter(pk=placed.order_id).exists()


def test_commission_is_rounded_half_up_to_the_cent(shop, customer):
    from shared_domain.catalog.services import product_update

    product_update(product=shop["dress"], data={"price": Decimal("333.33")})
    profile = shop["ada"].vendor_profile
    profile.commission_rate = Decimal("0.0750")  # 24.99975 on 333.33
    profile.save()
    placed = _place(
        customer, items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 1}]
    )
    part = Order.objects.get(pk=placed.order_id).vendor_orders.get()
    assert (part.commission_amount, part.vendor_payout) == (Decimal("25.00"), Decimal("308.33"))


def test_the_largest_order_the_limits_allow_is_stored(shop, customer):
    from shared_domain.catalog.services import MAX_PRICE, product_update
    from shared_domain.inventory.services import stock_set

    product_update(product=shop["dress"], data={"price": MAX_PRICE})
    stock_set(variant_id=shop["variants"]["DR-RED-M"].pk, quantity=20)
    placed = _place(
        customer, items=[{"variant_id": shop["variants"]["DR-RED-M"].pk, "quantity": 20}]
    )
    assert Order.objects.get(pk=placed.order_id).total == MAX_PRICE * 20
