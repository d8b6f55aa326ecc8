"""Refunds through the provider (the sandbox), per vendor order: staff and vendors,
full, partial and by items, never more than was paid, units back to stock, and the
ledger that keeps each vendor's balance equal to what its orders say."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from shared_domain.inventory.models import Stock
from shared_domain.orders.models import Order, VendorOrder
from shared_domain.payments.models import LedgerEntry, Payment, Refund
from shared_domain.payments.money import to_minor
from shared_domain.payments.selectors import vendor_balance_of
from shared_domain.payments.services import payment_settle
from tests.factories import CustomerFactory, StaffFactory
from tests.http import error
from tests.integration.orders_api import send
from tests.integration.payments.conftest import pay, place, start

pytestmark = pytest.mark.django_db


def settle(client, sandbox, order, provider="paystack"):
    reference = start(client, order, provider).json()["reference"]
    pay(client, sandbox, reference)
    payment = Payment.objects.get(reference=reference)
    outcome = payment_settle(reference=reference, provider=provider, outcome="succeeded",
                             amount=payment.amount, currency=payment.currency, source="test")  # fmt: skip
    assert outcome == "paid"
    return payment


def part_of(order, vendor):
    return VendorOrder.objects.get(order=order, vendor=vendor.vendor_profile)


def staff_refund(client, order, body, staff=None):
    return send(client, "post", f"/api/v1/staff/orders/{order.pk}/refunds",
                staff or StaffFactory.create(), body)  # fmt: skip


def allocated(variant):
    return Stock.objects.get(variant=variant).allocated


def test_staff_refund_a_whole_vendor_order_before_it_ships(client, sandbox, order, shop):
    payment = settle(client, sandbox, order)
    dress = part_of(order, shop["ada"])
    assert allocated(shop["variants"]["DR-RED-M"]) == 1
    response = staff_refund(
        client, order, {"vendor_order_id": dress.pk, "reason": "out of fabric"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["refunded_total"], body["refundable"]) == (
        2_500_000,
        2_500_000,
        0,
    )
    assert VendorOrder.objects.get(pk=dress.pk).status == "refunded"
    assert Order.objects.get(pk=order.pk).status == "paid"  # Eko's part still ships
    assert allocated(shop["variants"]["DR-RED-M"]) == 0  # the unit is free to sell again
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 2_500_000
    assert sandbox.charges[payment.reference].refunded == 2_500_000
    assert vendor_balance_of(vendor_id=shop["ada"].vendor_profile.pk)[0].amount == 0

    eko = part_of(order, shop["eko"])
    assert staff_refund(client, order, {"vendor_order_id": eko.pk}).status_code == 201
    assert Order.objects.get(pk=order.pk).status == "refunded"


def test_partial_refunds_add_up_and_an_over_refund_is_409(client, sandbox, order, shop):
    settle(client, sandbox, order)
    dress = part_of(order, shop["ada"])
    first = staff_refund(client, order, {"vendor_order_id": dress.pk, "amount": 1_000_000})
    assert first.status_code == 201
    assert first.json()["refundable"] == 1_500_000
    assert VendorOrder.objects.get(pk=dress.pk).status == "paid"  # the rest still ships
    over = staff_refund(client, order, {"vendor_order_id": dress.pk, "amount": 1_500_001})
    assert over.status_code == 409
    assert error(over)["code"] == "over_refund"
    assert error(over)["details"]["refundable"] == 1_500_000
    rest = staff_refund(client, order, {"vendor_order_id": dress.pk, "amount": 1_500_000})
    assert rest.status_code == 201
    assert VendorOrder.objects.get(pk=dress.pk).status == "refunded"
    again = staff_refund(client, order, {"vendor_order_id": dress.pk})
    assert again.status_code == 409
    assert Refund.objects.count() == 2
    # Commission reversals add up to the commission exactly.
    ada = shop["ada"].vendor_profile.pk
    reversed_total = sum(LedgerEntry.objects.filter(vendor_id=ada, kind="commission_reversal")
                         .values_list("amount", flat=True))  # fmt: skip
    assert reversed_total == 250_000
    assert vendor_balance_of(vendor_id=ada)[0].amount == 0


def test_refunding_delivered_items_puts_them_back_on_the_shelf(client, sandbox, shop, customer):
    from shared_domain.orders import services as orders

    order = place(shop, customer, ("DR-RED-M", 2), key="two")
    settle(client, sandbox, order)
    dress = part_of(order, shop["ada"])
    orders.vendor_order_ship(vendor=shop["ada"], vendor_order_id=dress.pk, carrier="local",
                             tracking_number="TRK-1")  # fmt: skip
    orders.vendor_order_deliver(vendor=shop["ada"], vendor_order_id=dress.pk)
    assert Stock.objects.get(variant=shop["variants"]["DR-RED-M"]).quantity == 3
    item = order.items.get()
    response = send(client, "post", f"/api/v1/vendor/orders/{dress.pk}/refunds", shop["ada"],
                    {"items": [{"item_id": item.pk, "quantity": 1}]})  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == 2_500_000
    assert Stock.objects.get(variant=shop["variants"]["DR-RED-M"]).quantity == 4
    assert VendorOrder.objects.get(pk=dress.pk).status == "partially_refunded"
    assert Order.objects.get(pk=order.pk).status == "partially_refunded"
    too_many = send(client, "post", f"/api/v1/vendor/orders/{dress.pk}/refunds", shop["ada"],
                    {"items": [{"item_id": item.pk, "quantity": 2}]})  # fmt: skip
    assert too_many.status_code == 400
    assert f"items.{item.pk}" in error(too_many)["details"]


def test_vendors_refund_only_their_own_parts_within_the_window(
    client, sandbox, order, shop, settings
):
    settle(client, sandbox, order)
    dress = part_of(order, shop["ada"])
    path = f"/api/v1/vendor/orders/{dress.pk}/refunds"
    assert send(client, "post", path, shop["eko"], {"amount": 100}).status_code == 404
    assert send(client, "post", path, order.customer, {"amount": 100}).status_code == 403
    settings.VENDOR_REFUND_WINDOW_DAYS = 0
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(seconds=5))
    late = send(client, "post", path, shop["ada"], {"amount": 100})
    assert late.status_code == 409
    assert error(late)["code"] == "refund_not_allowed"
    assert Refund.objects.count() == 0


def test_an_unpaid_order_cannot_be_refunded(client, sandbox, order, shop):
    response = staff_refund(client, order, {"vendor_order_id": part_of(order, shop["ada"]).pk})
    assert response.status_code == 409
    assert error(response)["code"] == "refund_not_allowed"


@pytest.mark.parametrize(
    "body",
    [{"amount": "lots"}, {"amount": 0}, {"amount": -5}, {"amount": 1.5}, {"colour": "red"},
     {"items": [{"item_id": 999999, "quantity": 1}]}, {"items": [{"item_id": 1}]},
     {"items": "all"}],
)  # fmt: skip
def test_bad_refund_requests_are_400_and_refund_nothing(client, sandbox, order, shop, body):
    settle(client, sandbox, order)
    dress = part_of(order, shop["ada"])
    response = staff_refund(client, order, {"vendor_order_id": dress.pk, **body})
    assert response.status_code == 400, response.content
    assert Refund.objects.count() == 0


def test_a_provider_down_during_refund_is_503_and_nothing_is_recorded(
    client, sandbox, order, shop, monkeypatch
):
    import httpx

    from shared_domain.payments.providers import http

    payment = settle(client, sandbox, order)
    monkeypatch.setattr(http, "transport_override",
                        httpx.MockTransport(lambda r: httpx.Response(503)))  # fmt: skip
    response = staff_refund(client, order, {"vendor_order_id": part_of(order, shop["ada"]).pk})
    assert response.status_code == 503
    assert Refund.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).amount_refunded == 0
    assert LedgerEntry.objects.filter(kind="refund").count() == 0


def test_the_vendor_balance_endpoint_sums_the_ledger(client, sandbox, order, shop):
    settle(client, sandbox, order)
    response = send(client, "get", "/api/v1/vendor/balance", shop["ada"])
    assert response.status_code == 200
    assert response.json() == {"balances": [{"currency": "NGN", "balance": "22500.00",
                                              "balance_minor": 2_250_000, "entries": 2}]}  # fmt: skip
    assert send(client, "get", "/api/v1/vendor/balance", order.customer).status_code == 403


def test_a_routed_share_is_paid_out_at_once_in_the_ledger(client, sandbox, shop, customer):
    from shared_domain.accounts.models import VendorProfile

    VendorProfile.objects.filter(pk=shop["ada"].vendor_profile.pk).update(
        paystack_subaccount_code="ACCT_ada"
    )
    order = place(shop, customer, ("DR-RED-M", 1), key="solo")
    settle(client, sandbox, order)
    ada = shop["ada"].vendor_profile.pk
    assert vendor_balance_of(vendor_id=ada)[0].amount == 0
    assert LedgerEntry.objects.get(vendor_id=ada, kind="payout").amount == -2_250_000


def test_ledger_entries_cannot_be_changed_or_deleted(client, sandbox, order):
    settle(client, sandbox, order)
    entry = LedgerEntry.objects.order_by("pk")[0]
    entry.amount = 1
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_every_vendor_balance_equals_its_ledger_and_its_orders_after_random_payments_and_refunds(
    client, sandbox, shop
):
    rng = random.Random(20261126)
    staff = StaffFactory.create()
    paid_parts = []
    for n in range(6):
        customer = CustomerFactory.create()
        lines = [("DR-RED-M", 1), ("LS-BLU-L", 1)] if n % 2 else [("DR-RED-M", 1)]
        order = place(shop, customer, *lines, key=f"o{n}")
        if rng.random() < 0.2:
            continue  # never paid
        settle(client, sandbox, order, rng.choice(["paystack", "stripe"]))
        paid_parts += list(VendorOrder.objects.filter(order=order))
        # Restock so the next order finds units.
        Stock.objects.filter(variant__sku__in=["DR-RED-M", "LS-BLU-L"]).update(quantity=50)
    for part in paid_parts:
        for _ in range(rng.randint(0, 3)):
            left = to_minor(part.subtotal, "NGN") - sum(
                Refund.objects.filter(vendor_order=part).values_list("amount", flat=True)
            )
            if left <= 0:
                break
            amount = rng.choice([left, rng.randint(1, left)])
            response = staff_refund(client, part.order, {"vendor_order_id": part.pk,
                                                          "amount": amount}, staff)  # fmt: skip
            assert response.status_code == 201, response.content

    expected: dict[int, int] = {}
    for part in paid_parts:
        subtotal = to_minor(part.subtotal, "NGN")
        commission = to_minor(part.commission_amount, "NGN")
        refunded = sum(Refund.objects.filter(vendor_order=part).values_list("amount", flat=True))
        owed = subtotal - commission - refunded + commission * refunded // subtotal
        expected[part.vendor_id] = expected.get(part.vendor_id, 0) + owed
    for vendor_id, owed in expected.items():
        entries = sum(
            LedgerEntry.objects.filter(vendor_id=vendor_id).values_list("amount", flat=True)
        )
        assert entries == owed
        assert vendor_balance_of(vendor_id=vendor_id)[0].amount == owed
    # And the money: what providers hold net equals sales less refunds.
    net_paid = sum(
        p.amount - p.amount_refunded for p in Payment.objects.filter(status="succeeded")
    )
    sales = sum(
        LedgerEntry.objects.filter(kind__in=["sale", "refund"]).values_list("amount", flat=True)
    )
    assert net_paid == sales
