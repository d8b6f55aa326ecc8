"""Checkout: `order_place`, the one service behind POST /api/v1/checkout and
POST /api/v2/orders.

In one transaction: the Idempotency-Key row (the same key and body give the same
order; another body is a conflict; concurrent requests with one key wait for the
first and get its order), the order, one vendor order per vendor with its
commission, item snapshots, the history row, the stock reservation (rows locked in
primary-key order, so it never oversells) and the emptied cart. Confirmation email
and live updates follow from the events, after the commit.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shared_domain.accounts.selectors import Account, store_terms
from shared_domain.catalog.selectors import VariantForSale, variants_for_sale
from shared_domain.common.errors import ValidationFailed
from shared_domain.common.events import publish
from shared_domain.inventory.errors import OutOfStock
from shared_domain.inventory.services import stock_reserve
from shared_domain.orders.addresses import address_clean
from shared_domain.orders.errors import (
    CartEmpty,
    CurrencyMismatch,
    IdempotencyConflict,
    IdempotencyKeyRequired,
    VariantUnavailable,
)
from shared_domain.orders.events import OrderPlaced, OrderStatusChanged
from shared_domain.orders.lifecycle import Status
from shared_domain.orders.models import (
    Cart,
    CartItem,
    CheckoutRequest,
    Order,
    OrderItem,
    VendorOrder,
)
from shared_domain.orders.selectors.customer import (
    OrderHeader,
    OrderView,
    order_view_assemble,
    order_view_for_customer,
)
from shared_domain.orders.services._common import Change, changes_write, customer_check
from shared_domain.orders.services.cart import cart_empty, quantity_check

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PlacedOrder:
    order_id: int
    # False: the Idempotency-Key was seen before and this is its order.
    created: bool
    # The order as the customer reads it (a new order: from what was just written).
    view: OrderView


def order_place(
    *,
    customer: Account,
    idempotency_key: str | None,
    shipping_address: object,
    items: Sequence[dict[str, Any]] | None = None,
) -> PlacedOrder:
    """Place an order from the customer's cart, or from `items`
    ([{"variant_id", "quantity"}]) when given."""
    if not isinstance(idempotency_key, str) or not _KEY.match(idempotency_key):
        raise IdempotencyKeyRequired()
    customer_check(customer, verified=True)
    address = address_clean(shipping_address)
    wanted = _items_check(items) if items is not None else None
    request_hash = hashlib.sha256(
        json.dumps(
            {"shipping_address": shipping_address, "items": items}, sort_keys=True, default=str
        ).encode()
    ).hexdigest()
    with transaction.atomic():
        request_id = _claim_key(customer, idempotency_key, request_hash)
        if request_id is not None:
            from_cart = wanted is None
            if wanted is None:
                wanted = _cart_lines(customer)
            view, status_changed = _create(customer=customer, address=address, wanted=wanted)
            CheckoutRequest.objects.filter(pk=request_id).update(order_id=view.id)
            if from_cart:
                cart_empty(customer=customer)
            # One statement for both outbox rows, one dispatch after the commit.
            publish(status_changed, OrderPlaced(order_id=view.id, customer_id=customer.pk))
            return PlacedOrder(order_id=view.id, created=True, view=view)
    seen = _seen_order(customer, idempotency_key)
    return PlacedOrder(
        order_id=seen,
        created=False,
        view=order_view_for_customer(customer=customer, order_id=seen),
    )


def _items_check(items: object) -> Counter[int]:
    if not isinstance(items, list) or not items:
        raise ValidationFailed(details={"items": ["Send at least one item."]})
    if len(items) > settings.CART_MAX_LINES:
        raise ValidationFailed(details={"items": [f"At most {settings.CART_MAX_LINES} items."]})
    wanted: Counter[int] = Counter()
    for index, item in enumerate(items):
        variant_id = item.get("variant_id") if isinstance(item, dict) else None
        if isinstance(variant_id, bool) or not isinstance(variant_id, int) or variant_id < 1:
            raise ValidationFailed(details={f"items.{index}.variant_id": ["Enter a variant id."]})
        wanted[variant_id] += quantity_check(item.get("quantity"), f"items.{index}.quantity")
    for quantity in wanted.values():
        quantity_check(quantity, "items")  # one variant listed twice counts once
    return wanted


def _claim_key(customer: Account, key: str, request_hash: str) -> int | None:
    """Insert the key (its row id), or wait for whoever holds it (None: their order
    is the answer); IdempotencyConflict for the same key with another body."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_checkoutrequest (customer_id, key, request_hash, created_at) "
            "VALUES (%s, %s, %s, now()) ON CONFLICT (customer_id, key) DO NOTHING RETURNING id",
            [customer.pk, key, request_hash],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    seen = CheckoutRequest.objects.select_for_update().get(customer=customer, key=key)
    if seen.request_hash != request_hash:
        raise IdempotencyConflict(details={"idempotency_key": key})
    return None


def _seen_order(customer: Account, key: str) -> int:
    order_id = (
        CheckoutRequest.objects.filter(customer=customer, key=key)
        .values_list("order_id", flat=True)
        .get()
    )
    assert order_id is not None  # written in the same transaction as the key  # noqa: S101
    return order_id


def _cart_lines(customer: Account) -> Counter[int]:
    # The cart row first, as every cart edit locks it: edits wait for the checkout (or
    # the checkout for them), never a deadlock between the two.
    Cart.objects.select_for_update().filter(customer=customer).first()
    rows = CartItem.objects.filter(cart__customer=customer).values_list("variant_id", "quantity")
    wanted = Counter(dict(rows))
    if not wanted:
        raise CartEmpty()
    return wanted


def _order_number() -> str:
    day = timezone.now().strftime("%y%m%d")
    return f"FS-{day}-{''.join(secrets.choice(_CROCKFORD) for _ in range(8))}"


def _sales(wanted: Counter[int]) -> dict[int, VariantForSale]:
    sales = variants_for_sale(variant_ids=wanted)
    missing = sorted(set(wanted) - set(sales))
    if missing:
        raise ValidationFailed(details={"items": [f"No such variant: {missing[0]}."]})
    for variant_id in sorted(wanted):
        if not sales[variant_id].on_sale:
            raise VariantUnavailable(
                f"SKU {sales[variant_id].sku} is not on sale.", details={"variant_id": variant_id}
            )
    currencies = {sale.currency for sale in sales.values()}
    if len(currencies) > 1:
        raise CurrencyMismatch(details={"currencies": sorted(currencies)})
    return sales


def _create(
    *, customer: Account, address: dict[str, str], wanted: Counter[int]
) -> tuple[OrderView, OrderStatusChanged]:
    sales = _sales(wanted)
    currency = next(iter(sales.values())).currency
    by_vendor: dict[int, list[VariantForSale]] = defaultdict(list)
    for variant_id in sorted(wanted):
        by_vendor[sales[variant_id].vendor_id].append(sales[variant_id])
    subtotal = sum((s.unit_price * wanted[s.variant_id] for s in sales.values()), Decimal(0))
    now = timezone.now()
    expires_at = now + timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT)
    order = Order.objects.create(
        customer=customer,
        number=_order_number(),
        currency=currency,
        subtotal=subtotal,
        total=subtotal,
        shipping_address=address,
        expires_at=expires_at,
    )
    terms = store_terms(vendor_ids=by_vendor)
    vendor_orders = []
    for vendor_id, lines in sorted(by_vendor.items()):
        part = sum((s.unit_price * wanted[s.variant_id] for s in lines), Decimal(0))
        rate = terms[vendor_id].commission_rate
        commission = (part * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        vendor_orders.append(
            VendorOrder(
                order=order,
                vendor_id=vendor_id,
                subtotal=part,
                commission_rate=rate,
                commission_amount=commission,
                vendor_payout=part - commission,
            )
        )
    VendorOrder.objects.bulk_create(vendor_orders)
    vendor_order_of = {vo.vendor_id: vo for vo in vendor_orders}
    items = OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            vendor_order=vendor_order_of[s.vendor_id],
            variant_id=s.variant_id,
            product_id=s.product_id,
            title=s.title,
            sku=s.sku,
            size=s.size,
            colour=s.colour,
            unit_price=s.unit_price,
            currency=s.currency,
            quantity=wanted[s.variant_id],
            line_total=s.unit_price * wanted[s.variant_id],
        )
        for s in (sales[v] for v in sorted(wanted))
    )
    [status_changed] = changes_write(
        order=order,
        changes=[Change("", Status.PENDING_PAYMENT, Status.PENDING_PAYMENT)],
        actor_id=customer.pk,
        reason="placed",
    )
    # Last, so the stock rows stay locked for as short a time as possible.
    try:
        stock_reserve(order_id=order.pk, lines=list(wanted.items()), expires_at=expires_at)
    except OutOfStock as short:
        short_id = int(short.details["variant_id"])
        sku = sales[short_id].sku
        available = max(int(short.details.get("available", 0)), 0)
        raise OutOfStock(
            f"Only {available} left of SKU {sku}.",
            details={
                "variant_id": short_id,
                "available": available,
                "requested": short.details.get("requested"),
            },
        ) from None
    header = OrderHeader(
        order=order,
        vendor_orders=vendor_orders,
        store_names={vendor_id: term.name for vendor_id, term in terms.items()},
    )
    return order_view_assemble(header=header, items=items, shipments={}), status_changed


def checkout_keys_forget(*, before: datetime) -> int:
    """Forget Idempotency-Keys used before `before` (their orders stay)."""
    deleted, _ = CheckoutRequest.objects.filter(created_at__lt=before).delete()
    return deleted
