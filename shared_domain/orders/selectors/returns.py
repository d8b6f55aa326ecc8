"""Reads of returns: a customer's returns of one order, a vendor's returns, and the
facts other contexts derive figures from (the daily return figures of a vendor, the
fit outcome of delivered items)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import TruncDate

from shared_domain.accounts.selectors import Account, vendor_profile_id_for_user
from shared_domain.common.errors import NotFound, PermissionDenied
from shared_domain.orders.lifecycle import Status
from shared_domain.orders.models import Order, OrderItem, ReturnRequest
from shared_domain.orders.selectors.figures import day_bounds
from shared_domain.orders.selectors.paging import cursor_decode, cursor_encode, page_size_check


@dataclass(frozen=True)
class ReturnView:
    id: int
    order_id: int
    vendor_order_id: int
    item_id: int
    product_id: int
    variant_id: int
    title: str
    sku: str
    size: str
    quantity: int
    reason: str
    comment: str
    created_at: dt.datetime


def return_view(row: ReturnRequest, item: OrderItem) -> ReturnView:
    return ReturnView(
        id=row.pk,
        order_id=row.order_id,
        vendor_order_id=row.vendor_order_id,
        item_id=item.pk,
        product_id=item.product_id,
        variant_id=item.variant_id,
        title=item.title,
        sku=item.sku,
        size=item.size,
        quantity=row.quantity,
        reason=row.reason,
        comment=row.comment,
        created_at=row.created_at,
    )


def returns_of_order_for_customer(*, customer: Account, order_id: int) -> list[ReturnView]:
    """The returns of one of the customer's orders, oldest first (two queries);
    another customer's order is not found."""
    if not Order.objects.filter(pk=order_id, customer_id=customer.pk).exists():
        raise NotFound("No such order.")
    rows = ReturnRequest.objects.filter(order_id=order_id).select_related("item")
    return [return_view(row, row.item) for row in rows.order_by("pk")]


@dataclass(frozen=True)
class ReturnPage:
    items: list[ReturnView]
    next_cursor: str | None


def returns_page_for_vendor(
    *, vendor: Account, cursor: str | None = None, page_size: int | None = None
) -> ReturnPage:
    """The returns of the vendor's parts of orders, newest first (two queries a page:
    the vendor, then the returns with their items)."""
    vendor_id = vendor_profile_id_for_user(user=vendor)
    if vendor_id is None:
        raise PermissionDenied("Only vendors see returns of their orders.")
    size = page_size_check(page_size)
    after = cursor_decode(cursor)
    rows = ReturnRequest.objects.filter(vendor_id=vendor_id).select_related("item")
    if after is not None:
        rows = rows.filter(pk__lt=after)
    found = list(rows.order_by("-pk")[: size + 1])
    items = [return_view(row, row.item) for row in found[:size]]
    more = len(found) > size
    return ReturnPage(items=items, next_cursor=cursor_encode(items[-1].id) if more else None)


# ------------------------------------------------------------------ for analytics
@dataclass(frozen=True)
class ReturnFigure:
    """Units returned that day for one reason, in items of one currency."""

    currency: str
    reason: str
    units: int


@dataclass(frozen=True)
class DeliveredFigure:
    currency: str
    units: int


def vendor_day_return_figures(*, vendor_id: int, day: dt.date) -> list[ReturnFigure]:
    """Units returned per currency and reason on `day` (one query)."""
    start, end = day_bounds(day)
    rows = (
        ReturnRequest.objects.filter(
            vendor_id=vendor_id, created_at__gte=start, created_at__lt=end
        )
        .values_list("item__currency", "reason")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return [ReturnFigure(currency, reason, int(units)) for currency, reason, units in rows]


def vendor_day_delivered_units(*, vendor_id: int, day: dt.date) -> list[DeliveredFigure]:
    """Units of the vendor's parts delivered on `day`, per currency (one query)."""
    start, end = day_bounds(day)
    rows = (
        OrderItem.objects.filter(
            vendor_order__vendor_id=vendor_id,
            vendor_order__history__to_status=Status.DELIVERED,
            vendor_order__history__created_at__gte=start,
            vendor_order__history__created_at__lt=end,
        )
        .values_list("currency")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return [DeliveredFigure(currency, int(units)) for currency, units in rows]


def vendor_days_with_returns() -> Iterator[tuple[int, dt.date]]:
    """Every (vendor, day) on which a return was opened."""
    rows = (
        ReturnRequest.objects.annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values_list("vendor_id", "day")
        .distinct()
        .order_by()
    )
    yield from rows.iterator(chunk_size=2000)


# ------------------------------------------------------------------ for sizing
@dataclass(frozen=True)
class ItemFit:
    """A delivered item as the fit of its size: units kept and returned per reason."""

    item_id: int
    customer_id: int
    vendor_id: int
    product_id: int
    variant_id: int
    size: str
    quantity: int
    returned: dict[str, int] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return max(0, self.quantity - sum(self.returned.values()))


def delivered_item_fits(
    *, item_ids: Sequence[int] = (), vendor_order_id: int | None = None
) -> list[ItemFit]:
    """The delivered items named (by id, or all of a vendor order) with their returns
    per reason (two queries); items of a part not delivered are left out."""
    items = OrderItem.objects.filter(vendor_order__status=Status.DELIVERED)
    if vendor_order_id is not None:
        items = items.filter(vendor_order_id=vendor_order_id)
    else:
        items = items.filter(pk__in=list(item_ids))
    rows = list(
        items.values_list(
            "pk", "order__customer_id", "vendor_order__vendor_id", "product_id",
            "variant_id", "size", "quantity",
        ).order_by("pk")
    )  # fmt: skip
    returned: dict[int, dict[str, int]] = defaultdict(dict)
    for item_id, reason, units in (
        ReturnRequest.objects.filter(item_id__in=[r[0] for r in rows])
        .values_list("item_id", "reason")
        .annotate(units=Sum("quantity"))
        .order_by()
    ):
        returned[item_id][reason] = int(units)
    return [ItemFit(*row, returned=returned.get(row[0], {})) for row in rows]
