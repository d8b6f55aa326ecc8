"""What the v1 and v2 order API tests share: the orders fixtures (two stores with
stock, a customer), signing in, sending JSON, and the exact field sets of SPEC §8."""

from __future__ import annotations

import json
from typing import Any

from shared_domain.accounts import services as accounts
from tests.factories import PASSWORD
from tests.integration.orders.conftest import ADDRESS, customer, shop, stock_of

__all__ = ["ADDRESS", "customer", "shop", "stock_of"]

LINE_FIELDS = {
    "id", "variant_id", "product_id", "title", "sku", "size", "colour", "quantity",
    "unit_price", "line_total", "currency", "available", "problem",
}  # fmt: skip
ITEM_FIELDS = LINE_FIELDS - {"available", "problem"} | {"reviewed"}
SHIPMENT_FIELDS = {"id", "carrier", "tracking_number", "status", "shipped_at", "delivered_at",
                   "events", "tracking_url"}  # fmt: skip
VENDOR_ORDER_FIELDS = {"id", "vendor", "status", "subtotal", "currency", "items", "shipment"}
ORDER_FIELDS = {
    "id", "number", "status", "currency", "subtotal", "total", "shipping_address",
    "placed_at", "paid_at", "expires_at", "cancel_reason", "vendor_orders", "payments",
}  # fmt: skip
PAYMENT_FIELDS = {"reference", "provider", "status", "amount", "currency", "amount_refunded",
                  "created_at", "updated_at", "settled_at"}  # fmt: skip
SUMMARY_FIELDS = {"id", "number", "status", "total", "currency", "placed_at", "items_count"}
VENDOR_ROW_FIELDS = {
    "id", "order_id", "order_number", "status", "currency", "subtotal", "commission_rate",
    "commission_amount", "vendor_payout", "placed_at", "shipping_address", "items", "shipment",
}  # fmt: skip


def auth(user: Any) -> dict[str, str]:
    token = accounts.session_login(email=user.email, password=PASSWORD).tokens.access
    return {"Authorization": f"Bearer {token}"}


def send(
    client: Any, method: str, path: str, user: Any = None, body: Any = None, **headers: str
) -> Any:
    all_headers = {**(auth(user) if user else {}), **headers}
    data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    return getattr(client, method)(
        path, data=data, content_type="application/json", headers=all_headers
    )


def assert_order_shape(order: dict[str, Any]) -> None:
    assert set(order) == ORDER_FIELDS
    assert all(set(payment) == PAYMENT_FIELDS for payment in order["payments"])
    for part in order["vendor_orders"]:
        assert set(part) == VENDOR_ORDER_FIELDS
        assert set(part["vendor"]) == {"id", "name"}
        assert all(set(item) == ITEM_FIELDS for item in part["items"])
        assert part["shipment"] is None or set(part["shipment"]) == SHIPMENT_FIELDS
