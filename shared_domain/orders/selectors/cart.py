"""The cart as the customer sees it: today's prices and what can be bought now
(two queries)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shared_domain.accounts.selectors import Account
from shared_domain.catalog.selectors import variants_for_sale
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


def cart_view(*, customer: Account) -> CartView:
    """The customer's cart at today's prices; lines that cannot be bought are flagged
    (`problem`), never dropped. The subtotal counts the lines on sale."""
    rows = list(
        CartItem.objects.filter(cart__customer=customer)
        .order_by("added_at", "pk")
        .values_list("pk", "variant_id", "quantity")
    )
    sales = variants_for_sale(variant_ids=[variant_id for _, variant_id, _ in rows])
    lines = []
    subtotal = Decimal(0)
    currency = ""
    for pk, variant_id, quantity in rows:
        sale = sales[variant_id]
        problem = None
        if not sale.on_sale:
            problem = "unavailable"
        elif sale.available == 0:
            problem = "out_of_stock"
        elif sale.available < quantity:
            problem = "insufficient_stock"
        total = sale.unit_price * quantity
        if sale.on_sale:
            subtotal += total
        currency = currency or sale.currency
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
                line_total=total,
                currency=sale.currency,
                available=sale.available,
                problem=problem,
            )
        )
    return CartView(items=lines, subtotal=subtotal, currency=currency, count=len(lines))
