"""Reads of the orders context: the cart with live prices and availability, a
customer's orders, a vendor's orders. Read models are frozen dataclasses; both APIs
render them.

Query budget: a cart is two queries (items, then the variants' live sale data); a
page of orders is one; an order's detail is three (order with its vendor orders,
items, shipments), and its parts can be read concurrently (v2).
"""

from __future__ import annotations

from shared_domain.orders.selectors.cart import CartLine, CartView, cart_line_view, cart_view
from shared_domain.orders.selectors.customer import (
    ItemView,
    OrderHeader,
    OrderPage,
    OrderSummary,
    OrderView,
    VendorOrderView,
    VendorRef,
    order_header_for_customer,
    order_items_of,
    order_page_for_customer,
    order_shipments_of,
    order_view_assemble,
    order_view_for_customer,
)
from shared_domain.orders.selectors.figures import (
    ProductFigure,
    StatusFigure,
    vendor_day_product_figures,
    vendor_day_status_figures,
    vendor_days_of_order,
    vendor_days_with_history,
)
from shared_domain.orders.selectors.paging import MAX_PAGE_SIZE, PAGE_SIZE
from shared_domain.orders.selectors.returns import (
    DeliveredFigure,
    ItemFit,
    ReturnFigure,
    ReturnPage,
    ReturnView,
    delivered_item_fits,
    returns_of_order_for_customer,
    returns_page_for_vendor,
    vendor_day_delivered_units,
    vendor_day_return_figures,
    vendor_days_with_returns,
)
from shared_domain.orders.selectors.settlement import (
    OrderSettlement,
    SettlementLine,
    SettlementPart,
    order_id_of_vendor_order,
    order_settlement,
)
from shared_domain.orders.selectors.vendor import (
    VendorOrderPage,
    VendorOrderRow,
    vendor_ids_of_order,
    vendor_order_check,
    vendor_order_for_vendor,
    vendor_order_page_for_vendor,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "CartLine",
    "CartView",
    "DeliveredFigure",
    "ItemFit",
    "ItemView",
    "OrderHeader",
    "OrderPage",
    "OrderSettlement",
    "OrderSummary",
    "OrderView",
    "ProductFigure",
    "ReturnFigure",
    "ReturnPage",
    "ReturnView",
    "SettlementLine",
    "SettlementPart",
    "StatusFigure",
    "VendorOrderPage",
    "VendorOrderRow",
    "VendorOrderView",
    "VendorRef",
    "cart_line_view",
    "cart_view",
    "delivered_item_fits",
    "order_header_for_customer",
    "order_id_of_vendor_order",
    "order_items_of",
    "order_page_for_customer",
    "order_settlement",
    "order_shipments_of",
    "order_view_assemble",
    "order_view_for_customer",
    "returns_of_order_for_customer",
    "returns_page_for_vendor",
    "vendor_day_delivered_units",
    "vendor_day_product_figures",
    "vendor_day_return_figures",
    "vendor_day_status_figures",
    "vendor_days_of_order",
    "vendor_days_with_history",
    "vendor_days_with_returns",
    "vendor_ids_of_order",
    "vendor_order_check",
    "vendor_order_for_vendor",
    "vendor_order_page_for_vendor",
]
