"""The cart as the customer sees it: today's prices and what can be bought now
(two queries)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared_domain.accounts.selectors import Account
from shared_domain.catalog.selectors import variants_for_sale
from shared_domain.common.errors import NotFound
from shared_domain.orders.models import CartItem


@dataclass(frozen=True)
class CartLine:
    id: int
    variant_id: int
    product_id: int
    title: str
    sku: str
    size: str
    colour: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    currency: str
    available: int
    # None, or why checkout would refuse this line now: "unavailable" (not on sale),
    # "out_of_stock" (none left), "insufficient_stock" (fewer left than wanted).
    problem: str | None


@dataclass(frozen=True)
class CartView:
    items: list[CartLine]
    subtotal: Decimal
    currency: str
    count: int


def _lines(rows: list[tuple[int, int, int]]) -> list[CartLine]:
    """Cart lines of (item id, variant id, quantity) rows at today's prices."""
    sales = variants_for_sale(variant_ids=[variant_id for _, variant_id, _ in rows])
    lines = []
    for pk, variant_id, quantity in rows:
        sale = sales[variant_id]
        problem = None
        if not sale.on_sale:
            problem = "unavailable"
        elif sale.available == 0:
            problem = "out_of_stock"
        elif sale.available < quantity:
            problem = "insufficient_stock"
        lines.append(
            CartLine(
                id=pk,
                variant_id=variant_id,
                product_id=sale.product_id,
                title=sale.title,
                sku=sale.sku,
                size=sale.size,
                colour=sale.colour,
                quantity=quantity,
                unit_price=sale.unit_price,
                line_total=sale.unit_price * quantity,
                currency=sale.currency,
                available=sale.available,
                problem=problem,
            )
        )
    return lines


def _rows(customer: Account) -> Any:
    return CartItem.objects.filter(cart__customer=customer).values_list(
        "pk", "variant_id", "quantity"
    )


def cart_view(*, customer: Account) -> CartView:
    """The customer's cart at today's prices; lines that cannot be bought are flagged
    (`problem`), never dropped. The subtotal counts the lines on sale."""
    lines = _lines(list(_rows(customer).order_by("added_at", "pk")))
    subtotal = sum(
        (line.line_total for line in lines if line.problem != "unavailable"), Decimal(0)
    )
    currency = lines[0].currency if lines else ""
    return CartView(items=lines, subtotal=subtotal, currency=currency, count=len(lines))


def cart_line_view(*, customer: Account, item_id: int) -> CartLine:
    """One line of the customer's cart (two queries, whatever the cart's size)."""
    lines = _lines(list(_rows(customer).filter(pk=item_id)))
    if not lines:
        raise NotFound("No such item in your cart.")
    return lines[0]
