"""v2 orders: checkout (the same service, so the same rules, errors and idempotency as
v1's POST /checkout), the customer's orders, and one order whose items, shipments and
payments are read at the same time on connections of their own; returns of delivered
items."""

from __future__ import annotations

import asyncio

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from async_service.api.common_schemas import ErrorOut
from async_service.api.orders_schemas import (
    OrderListFilters,
    OrderOut,
    OrderPageOut,
    OrderPlaceIn,
    ReturnIn,
    ReturnListOut,
    ReturnOut,
)
from async_service.api.rendering import read_model_response
from async_service.api.security import current_user, jwt_auth
from shared_domain.accounts.selectors import Account
from shared_domain.common.asyncdb import run_db
from shared_domain.common.errors import PermissionDenied
from shared_domain.orders import selectors
from shared_domain.orders.selectors import ReturnView
from shared_domain.orders.services import order_place, return_request
from shared_domain.payments import selectors as payment_selectors
from shared_domain.payments.selectors import OrderDetail

router = Router(tags=["orders"], auth=jwt_auth)

ERRORS = {401: ErrorOut, 403: ErrorOut}
ORDER_HELP = (
    " `payments` lists the order's payment attempts (amounts in minor units)."
    " Money is a decimal string with its currency."
)
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "1 to 255 visible characters, e.g. a UUID. The same key and body give "
    "the same order (200); another body is 409 idempotency_conflict.",
}


def _customer(request: HttpRequest) -> Account:
    user = current_user(request)
    if not user.is_customer:
        raise PermissionDenied("Only customer accounts can do this.")
    return user


async def _order_detail(customer: Account, order_id: int) -> OrderDetail:
    # The header first: it decides whose order it is and names the vendor orders.
    header = await run_db(
        selectors.order_header_for_customer, customer=customer, order_id=order_id
    )
    items, shipments, payments = await asyncio.gather(
        run_db(selectors.order_items_of, order_id=order_id),
        run_db(
            selectors.order_shipments_of,
            vendor_order_ids=[part.pk for part in header.vendor_orders],
        ),
        run_db(payment_selectors.payments_of_order, order_id=order_id),
    )
    view = selectors.order_view_assemble(header=header, items=items, shipments=shipments)
    return payment_selectors.order_detail_compose(view=view, payments=payments)


@router.post(
    "/orders",
    response={201: OrderOut, 200: OrderOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    operation_id="v2_order_place",
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    description="Place an order from your cart, or from `items` when given: one part "
    "per vendor, the stock reserved until `expires_at`. 201 with the new order; 200 with "
    "the same order when the Idempotency-Key was used before with this body. Errors: 400 "
    "idempotency_key_required, cart_empty, validation_error; 403 email_not_verified, "
    "permission_denied; 409 out_of_stock (details.variant_id, available), "
    "idempotency_conflict, variant_unavailable, currency_mismatch." + ORDER_HELP,
)
async def place(request: HttpRequest, payload: OrderPlaceIn) -> HttpResponse:
    customer = _customer(request)
    items = None if payload.items is None else [item.model_dump() for item in payload.items]
    # One transaction, run as one unit on a pool thread with a connection of its own:
    # checkouts of concurrent requests proceed in parallel rather than queueing on
    # the one thread Django's sync_to_async would use.
    placed = await run_db(
        order_place,
        customer=customer,
        idempotency_key=request.headers.get("Idempotency-Key"),
        shipping_address=payload.shipping_address,
        items=items,
    )
    if placed.created:  # nothing more to read: a new order has no payment yet
        new = payment_selectors.order_detail_of(view=placed.view, new=True)
        return read_model_response(new, status=201)
    # A replayed checkout may return an order that has payments by now.
    detail = await run_db(payment_selectors.order_detail_of, view=placed.view)
    return read_model_response(detail)


@router.get(
    "/orders",
    response={200: OrderPageOut, 400: ErrorOut, **ERRORS},
    operation_id="v2_orders_list",
)
async def order_list(request: HttpRequest, filters: Query[OrderListFilters]) -> HttpResponse:
    """Your orders, newest first (`next_cursor` pages)."""
    page = await run_db(
        selectors.order_page_for_customer,
        customer=_customer(request),
        status=filters.status,
        cursor=filters.cursor,
        page_size=filters.page_size,
    )
    return read_model_response(page)


@router.get(
    "/orders/{order_id}",
    response={200: OrderOut, 404: ErrorOut, **ERRORS},
    operation_id="v2_order_detail",
    description="One of your orders (another customer's is 404) with its parts per vendor, "
    "their items, shipments and payments, read at the same time." + ORDER_HELP,
)
async def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return read_model_response(await _order_detail(_customer(request), order_id))


@router.post(
    "/orders/{order_id}/returns",
    response={201: ReturnOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, **ERRORS},
    operation_id="v2_order_return",
)
async def order_return(
    request: HttpRequest, order_id: int, payload: ReturnIn
) -> Status[ReturnView]:
    """Send back units of a delivered item of one of your orders, saying why (as v1's
    POST /orders/{id}/returns): 400 validation_error (reason, quantity, comment over
    1024 bytes); 409 not_returnable (not delivered), return_quantity_exceeded
    (`details.returnable`); another customer's order 404. The refund is a separate
    step."""
    row = await run_db(
        return_request,
        customer=_customer(request),
        order_id=order_id,
        data=payload.model_dump(),
    )
    return Status(201, row)


@router.get(
    "/orders/{order_id}/returns",
    response={200: ReturnListOut, 404: ErrorOut, **ERRORS},
    operation_id="v2_order_returns",
)
async def order_returns(request: HttpRequest, order_id: int) -> dict[str, list[ReturnView]]:
    """The returns opened on one of your orders, oldest first."""
    rows = await run_db(
        selectors.returns_of_order_for_customer, customer=_customer(request), order_id=order_id
    )
    return {"items": rows}
