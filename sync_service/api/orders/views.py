"""v1 cart, checkout and the customer's orders. Customers only: another customer's
cart line or order is 404 (its existence is not revealed)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.accounts.selectors import Account
from shared_domain.orders import selectors, services
from shared_domain.payments import selectors as payment_selectors
from sync_service.api.catalog.serializers import ReviewOut
from sync_service.api.orders import serializers as s
from sync_service.api.permissions import IsCustomer, IsVendor, current_user
from sync_service.api.schema import errors
from sync_service.api.strict import validated

CUSTOMER_ERRORS = {"e401": "not_authenticated", "e403": "permission_denied (not a customer)"}
MISSING = {**CUSTOMER_ERRORS, "e404": "not_found (also for other customers')"}
LINE_ERRORS = {
    "e400": "validation_error",
    "e409": "out_of_stock (details.variant_id, available), variant_unavailable, currency_mismatch",
}
ORDER_HELP = (
    " `payments` lists the order's payment attempts (amounts in minor units)."
    " Money is a decimal string with its currency."
)


def _line(customer: Account, item_id: int) -> dict[str, Any]:
    return dict(s.CartLineOut(selectors.cart_line_view(customer=customer, item_id=item_id)).data)


def order_json(customer: Account, order_id: int) -> dict[str, Any]:
    detail = payment_selectors.order_detail_for_customer(customer=customer, order_id=order_id)
    return dict(s.OrderOut(detail).data)


class _CustomerApi(APIView):
    permission_classes = (IsCustomer,)


class CartApi(_CustomerApi):
    @extend_schema(tags=["cart"], responses={200: s.CartOut, **errors(**CUSTOMER_ERRORS)})
    def get(self, request: Request) -> Response:
        """Your cart at today's prices. Lines that cannot be bought now are kept and
        flagged (`problem`); the subtotal counts the lines on sale."""
        return Response(s.CartOut(selectors.cart_view(customer=current_user(request))).data)


class CartItemsApi(_CustomerApi):
    @extend_schema(
        tags=["cart"],
        request=s.CartItemIn,
        responses={201: s.CartLineOut, **errors(**LINE_ERRORS, **CUSTOMER_ERRORS)},
    )
    def post(self, request: Request) -> Response:
        """Add units of a variant (to its line when the cart has one). One currency per
        cart; never more than the stock available now."""
        customer = current_user(request)
        data = validated(s.CartItemIn, request.data)
        item = services.cart_item_add(
            customer=customer, variant_id=data["variant_id"], quantity=data["quantity"]
        )
        return Response(_line(customer, item.pk), status=status.HTTP_201_CREATED)


class CartItemApi(_CustomerApi):
    @extend_schema(
        tags=["cart"],
        request=s.CartItemUpdateIn,
        responses={200: s.CartLineOut, **errors(**LINE_ERRORS, **MISSING)},
    )
    def patch(self, request: Request, item_id: int) -> Response:
        """Change a line's quantity."""
        customer = current_user(request)
        data = validated(s.CartItemUpdateIn, request.data)
        services.cart_item_update(customer=customer, item_id=item_id, quantity=data["quantity"])
        return Response(_line(customer, item_id))

    @extend_schema(tags=["cart"], responses={204: None, **errors(**MISSING)})
    def delete(self, request: Request, item_id: int) -> Response:
        """Remove a line."""
        services.cart_item_remove(customer=current_user(request), item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckoutApi(_CustomerApi):
    @extend_schema(
        tags=["orders"],
        operation_id="checkout",
        request=s.CheckoutBody,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="1 to 255 visible characters, e.g. a UUID. The same key and "
                "body give the same order (200); another body is 409 idempotency_conflict.",
            )
        ],
        responses={
            201: s.OrderOut,
            200: s.OrderOut,
            **errors(
                e400="idempotency_key_required, cart_empty, validation_error "
                "(details per field, e.g. shipping_address.country)",
                e401="not_authenticated",
                e403="email_not_verified, permission_denied",
                e409="out_of_stock (details.variant_id, available), idempotency_conflict, "
                "variant_unavailable, currency_mismatch",
            ),
        },
        description="Place an order from your cart: one part per vendor, the stock "
        "reserved until `expires_at`, the cart emptied. 201 with the new order; 200 "
        "with the same order when the Idempotency-Key was used before with this body."
        + ORDER_HELP,
    )
    def post(self, request: Request) -> Response:
        customer = current_user(request)
        validated(s.CheckoutIn, request.data)
        body: Any = request.data
        placed = services.order_place(
            customer=customer,
            idempotency_key=request.headers.get("Idempotency-Key"),
            # As sent: the idempotency hash is of the client's request.
            shipping_address=body["shipping_address"],
        )
        return Response(
            s.OrderOut(
                payment_selectors.order_detail_of(view=placed.view, new=placed.created)
            ).data,
            status=status.HTTP_201_CREATED if placed.created else status.HTTP_200_OK,
        )


class OrdersApi(_CustomerApi):
    @extend_schema(
        tags=["orders"],
        operation_id="orders_list",
        parameters=[s.OrderListQuery],
        responses={
            200: s.OrderPageOut,
            **errors(e400="validation_error (status, cursor, page_size)", **CUSTOMER_ERRORS),
        },
    )
    def get(self, request: Request) -> Response:
        """Your orders, newest first."""
        query = validated(s.OrderListQuery, request.query_params)
        page = selectors.order_page_for_customer(
            customer=current_user(request),
            status=query.get("status"),
            cursor=query.get("cursor"),
            page_size=query.get("page_size"),
        )
        return Response(s.OrderPageOut(page).data)


class OrderApi(_CustomerApi):
    @extend_schema(
        tags=["orders"],
        responses={200: s.OrderOut, **errors(**MISSING)},
        description="One of your orders with its parts per vendor, their items and "
        "shipments." + ORDER_HELP,
    )
    def get(self, request: Request, order_id: int) -> Response:
        return Response(order_json(current_user(request), order_id))


class OrderCancelApi(_CustomerApi):
    @extend_schema(
        tags=["orders"],
        request=None,
        responses={
            200: s.OrderOut,
            **errors(e409="invalid_transition (a part was shipped, or closed)", **MISSING),
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        """Cancel an order before any part of it was shipped; its stock is released."""
        customer = current_user(request)
        services.order_cancel(customer=customer, order_id=order_id)
        return Response(order_json(customer, order_id))


class OrderItemReviewApi(_CustomerApi):
    @extend_schema(
        tags=["orders"],
        request=s.ReviewIn,
        responses={
            201: ReviewOut,
            **errors(
                e400="validation_error (rating 1 to 5, text at most 2048 characters)",
                e409="not_delivered, already_reviewed",
                **MISSING,
            ),
        },
    )
    def post(self, request: Request, order_id: int, item_id: int) -> Response:
        """Review an item of one of your orders once it was delivered (once per item).
        The review is public on the product and counts in its rating."""
        data = validated(s.ReviewIn, request.data)
        review = services.order_item_review(
            customer=current_user(request), order_id=order_id, item_id=item_id,
            rating=data["rating"], text=data["text"],
        )  # fmt: skip
        return Response(ReviewOut(review).data, status=status.HTTP_201_CREATED)


class OrderReturnsApi(_CustomerApi):
    @extend_schema(tags=["orders"], responses={200: s.ReturnListOut, **errors(**MISSING)})
    def get(self, request: Request, order_id: int) -> Response:
        """The returns opened on one of your orders, oldest first."""
        rows = selectors.returns_of_order_for_customer(
            customer=current_user(request), order_id=order_id
        )
        return Response(s.ReturnListOut({"items": rows}).data)

    @extend_schema(
        tags=["orders"],
        request=s.ReturnIn,
        responses={
            201: s.ReturnOut,
            **errors(
                e400="validation_error (reason one of too_small, too_large, "
                "not_as_described, other; quantity 1 or more; comment at most 1024 bytes)",
                e409="not_returnable (the item's part is not delivered), "
                "return_quantity_exceeded (details.returnable)",
                **MISSING,
            ),
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        """Send back units of a delivered item of one of your orders, saying why. The
        refund follows separately (the vendor or staff refunds the part)."""
        data = validated(s.ReturnIn, request.data)
        row = services.return_request(customer=current_user(request), order_id=order_id, data=data)
        return Response(s.ReturnOut(row).data, status=status.HTTP_201_CREATED)


class VendorReturnsApi(APIView):
    permission_classes = (IsVendor,)

    @extend_schema(
        tags=["vendor"],
        operation_id="vendor_returns_list",
        parameters=[s.ReturnPageQuery],
        responses={
            200: s.ReturnPageOut,
            **errors(
                e400="validation_error (cursor, page_size)",
                e401="not_authenticated",
                e403="permission_denied (not a vendor)",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        """Returns opened on your parts of customers' orders, newest first."""
        query = validated(s.ReturnPageQuery, request.query_params)
        page = selectors.returns_page_for_vendor(
            vendor=current_user(request),
            cursor=query.get("cursor"),
            page_size=query.get("page_size"),
        )
        return Response(s.ReturnPageOut(page).data)
