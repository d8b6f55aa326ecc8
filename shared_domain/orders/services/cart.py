"""The customer's cart: add, change and remove lines. One currency per cart; each
line's quantity within CART_MAX_LINE_QUANTITY and the stock available now."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from shared_domain.accounts.selectors import Account
from shared_domain.catalog.selectors import VariantForSale, variants_for_sale
from shared_domain.common.errors import NotFound, ValidationFailed
from shared_domain.inventory.errors import OutOfStock
from shared_domain.orders.errors import CurrencyMismatch, VariantUnavailable
from shared_domain.orders.models import Cart, CartItem
from shared_domain.orders.services._common import customer_check, max_line_quantity


def quantity_check(quantity: object, field: str = "quantity") -> int:
    limit = max_line_quantity()
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= limit:
        raise ValidationFailed(details={field: [f"Enter a whole number from 1 to {limit}."]})
    return quantity


def _locked_cart(customer: Account) -> Cart:
    Cart.objects.get_or_create(customer=customer)
    return Cart.objects.select_for_update().get(customer=customer)


def _sale(variant_id: object) -> VariantForSale:
    if isinstance(variant_id, bool) or not isinstance(variant_id, int) or variant_id < 1:
        raise ValidationFailed(details={"variant_id": ["Enter a variant id."]})
    sale = variants_for_sale(variant_ids=[variant_id]).get(variant_id)
    if sale is None:
        raise ValidationFailed(details={"variant_id": ["No such variant."]})
    if not sale.on_sale:
        raise VariantUnavailable(details={"variant_id": variant_id})
    return sale


def _stock_check(sale: VariantForSale, quantity: int) -> None:
    if quantity > sale.available:
        raise OutOfStock(
            f"Only {sale.available} left of SKU {sale.sku}.",
            details={"variant_id": sale.variant_id, "available": sale.available},
        )


@transaction.atomic
def cart_item_add(*, customer: Account, variant_id: int, quantity: int) -> CartItem:
    """Add units of a variant (to its line if there is one)."""
    customer_check(customer)
    quantity_check(quantity)
    sale = _sale(variant_id)
    cart = _locked_cart(customer)
    items = {item.variant_id: item for item in cart.items.all()}
    if items and cart.currency and cart.currency != sale.currency:
        raise CurrencyMismatch(
            f"This cart is in {cart.currency}; this item is priced in {sale.currency}.",
            details={"cart_currency": cart.currency, "currency": sale.currency},
        )
    item = items.get(sale.variant_id)
    if item is None and len(items) >= settings.CART_MAX_LINES:
        raise ValidationFailed(
            details={"variant_id": [f"A cart holds at most {settings.CART_MAX_LINES} items."]}
        )
    total = quantity + (item.quantity if item else 0)
    quantity_check(total)
    _stock_check(sale, total)
    if item is None:
        item = CartItem.objects.create(cart=cart, variant_id=sale.variant_id, quantity=total)
    else:
        item.quantity = total
        item.save(update_fields=["quantity"])
    if cart.currency != sale.currency:
        cart.currency = sale.currency
    cart.save(update_fields=["currency", "updated_at"])
    return item


def _own_item(customer: Account, item_id: int) -> tuple[Cart, CartItem]:
    cart = _locked_cart(customer)
    item = cart.items.filter(pk=item_id).first()
    if item is None:
        raise NotFound("No such item in your cart.")
    return cart, item


@transaction.atomic
def cart_item_update(*, customer: Account, item_id: int, quantity: int) -> CartItem:
    customer_check(customer)
    quantity_check(quantity)
    _, item = _own_item(customer, item_id)
    sale = _sale(item.variant_id)
    _stock_check(sale, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


@transaction.atomic
def cart_item_remove(*, customer: Account, item_id: int) -> None:
    customer_check(customer)
    cart, item = _own_item(customer, item_id)
    item.delete()
    if not cart.items.exists():
        cart.currency = ""
    cart.save(update_fields=["currency", "updated_at"])


def cart_empty(*, customer: Account) -> None:
    """After checkout (inside its transaction)."""
    CartItem.objects.filter(cart__customer=customer).delete()
    Cart.objects.filter(customer=customer).update(currency="")
