"""Writes of the orders context: the cart, checkout, payment outcomes, cancellation,
expiry and fulfilment. Callers use this package; the modules are its seams."""

from shared_domain.orders.services.cart import (
    cart_item_add,
    cart_item_remove,
    cart_item_update,
)
from shared_domain.orders.services.checkout import PlacedOrder, checkout_keys_forget, order_place
from shared_domain.orders.services.returns import return_request
from shared_domain.orders.services.reviews import order_item_review
from shared_domain.orders.services.transitions import (
    order_cancel,
    order_cancel_by_staff,
    order_mark_paid,
    order_mark_payment_failed,
    orders_expire,
    vendor_order_deliver,
    vendor_order_mark_delivered,
    vendor_order_process,
    vendor_order_record_refund,
    vendor_order_ship,
)

__all__ = [
    "PlacedOrder",
    "cart_item_add",
    "cart_item_remove",
    "cart_item_update",
    "checkout_keys_forget",
    "order_cancel",
    "order_cancel_by_staff",
    "order_item_review",
    "order_mark_paid",
    "order_mark_payment_failed",
    "order_place",
    "orders_expire",
    "return_request",
    "vendor_order_deliver",
    "vendor_order_mark_delivered",
    "vendor_order_process",
    "vendor_order_record_refund",
    "vendor_order_ship",
]
