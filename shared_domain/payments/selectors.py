"""Reads of the payments context: an order's payment attempts (and the customer's
order detail with them: orders sits below payments, so the composition is here), a
vendor's balance from the ledger, and the staff payout report."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from shared_domain.accounts.selectors import Account, store_names, vendor_profile_id_for_user
from shared_domain.common.errors import PermissionDenied
from shared_domain.orders.selectors import OrderView, order_view_for_customer
from shared_domain.payments.models import LedgerEntry, Payment, Refund


@dataclass(frozen=True)
class PaymentView:
    reference: str
    provider: str
    status: str
    amount: int
    currency: str
    amount_refunded: int
    created_at: datetime
    updated_at: datetime
    settled_at: datetime | None


_PAYMENT_VIEW_FIELDS = [f.name for f in dataclasses.fields(PaymentView)]


def payments_of_order(*, order_id: int) -> list[PaymentView]:
    """The order's payment attempts, oldest first (one query). The caller has checked
    whose order it is."""
    rows = (
        Payment.objects.filter(order_id=order_id).order_by("pk").values_list(*_PAYMENT_VIEW_FIELDS)
    )
    return [PaymentView(*row) for row in rows]


@dataclass(frozen=True)
class OrderDetail(OrderView):
    """The customer's order as both APIs show it: the orders read model and its
    payment attempts."""

    payments: list[PaymentView]


def order_detail_compose(*, view: OrderView, payments: list[PaymentView]) -> OrderDetail:
    """The detail from parts read one after another, or at the same time (v2)."""
    parts = {f.name: getattr(view, f.name) for f in dataclasses.fields(OrderView)}
    return OrderDetail(**parts, payments=payments)


def order_detail_of(*, view: OrderView, new: bool = False) -> OrderDetail:
    """An order read model just produced by the orders context (checkout, cancel) with
    its payments (one query; none for a `new` order, which cannot have any yet)."""
    payments = [] if new else payments_of_order(order_id=view.id)
    return order_detail_compose(view=view, payments=payments)


def order_detail_for_customer(*, customer: Account, order_id: int) -> OrderDetail:
    """One of the customer's orders (NotFound for anyone else's) with its payments."""
    view = order_view_for_customer(customer=customer, order_id=order_id)
    return order_detail_of(view=view)


@dataclass(frozen=True)
class Balance:
    currency: str
    amount: int
    entries: int


@dataclass(frozen=True)
class BalanceByKind:
    currency: str
    kind: str
    amount: int


def vendor_balance_of(*, vendor_id: int) -> list[Balance]:
    """The sum of the vendor's ledger entries per currency (one query)."""
    rows = (
        LedgerEntry.objects.filter(vendor_id=vendor_id)
        .values_list("currency")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("currency")
    )
    return [Balance(currency=c, amount=int(total or 0), entries=n) for c, total, n in rows]


def vendor_balance_for(*, vendor: Account) -> list[Balance]:
    vendor_id = vendor_profile_id_for_user(user=vendor)
    if vendor_id is None:
        raise PermissionDenied("Only vendors have a balance.")
    return vendor_balance_of(vendor_id=vendor_id)


def ledger_totals_by_vendor() -> dict[tuple[int, str], int]:
    """What the marketplace owes each vendor per currency (the payout report)."""
    rows = (
        LedgerEntry.objects.values_list("vendor_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by("vendor_id", "currency")
    )
    return {(vendor_id, currency): int(total or 0) for vendor_id, currency, total in rows}


@dataclass(frozen=True)
class VendorPayout:
    """One vendor's money in one currency, from its ledger entries (minor units):
    `earned` (sales less commission and refunds, plus commission returned on
    refunds), `paid_out` (payouts, including shares the provider routed at payment)
    and `balance` = earned - paid_out, what the marketplace owes it now. Of the
    refunds counted, `refunds_pending` are still being sent by the provider (a
    failure there gives that money back to the vendor)."""

    vendor_id: int
    vendor_name: str
    currency: str
    earned: int
    paid_out: int
    balance: int
    refunds_pending: int


def payout_report() -> list[VendorPayout]:
    """Every vendor with ledger entries, per currency, by vendor id (three queries:
    the totals, the payouts and pending refunds, the store names)."""
    totals = ledger_totals_by_vendor()
    parts = (
        LedgerEntry.objects.values_list("vendor_id", "currency")
        .annotate(
            paid_out=Sum("amount", filter=Q(kind=LedgerEntry.Kind.PAYOUT), default=0),
            refunds_pending=Sum(
                "amount",
                filter=Q(
                    kind=LedgerEntry.Kind.REFUND,
                    amount__lt=0,
                    refund__status=Refund.Status.PENDING,
                ),
                default=0,
            ),
        )
        .order_by()
    )
    extra = {(v, c): (-int(paid), -int(pending)) for v, c, paid, pending in parts}
    names = store_names(vendor_ids=[vendor_id for vendor_id, _ in totals])
    report = []
    for (vendor_id, currency), balance in totals.items():
        paid_out, pending = extra.get((vendor_id, currency), (0, 0))
        report.append(
            VendorPayout(
                vendor_id=vendor_id,
                vendor_name=names.get(vendor_id, ""),
                currency=currency,
                earned=balance + paid_out,
                paid_out=paid_out,
                balance=balance,
                refunds_pending=pending,
            )
        )
    return report


# ---------------------------------------------------------------------- analytics
def _day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class LedgerDayFigure:
    """The sum of one kind of a vendor's ledger entries on one day (minor units)."""

    currency: str
    kind: str
    amount: int


def ledger_day_figures(*, vendor_id: int, day: date) -> list[LedgerDayFigure]:
    """The vendor's ledger movements of one day (UTC) per currency and kind (one query)."""
    start, end = _day_window(day)
    rows = (
        LedgerEntry.objects.filter(vendor_id=vendor_id, created_at__gte=start, created_at__lt=end)
        .values_list("currency", "kind")
        .annotate(total=Sum("amount"))
        .order_by("currency", "kind")
    )
    return [LedgerDayFigure(currency, kind, int(total or 0)) for currency, kind, total in rows]


def ledger_vendor_days(
    *, payment_id: int | None = None, refund_id: int | None = None
) -> set[tuple[int, date]]:
    """The (vendor, day) pairs of the ledger entries of a payment or a refund, or of
    the whole ledger when neither is given (one query)."""
    entries = LedgerEntry.objects.all()
    if payment_id is not None:
        entries = entries.filter(payment_id=payment_id, refund__isnull=True)
    if refund_id is not None:
        entries = entries.filter(refund_id=refund_id)
    rows = (
        entries.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values_list("vendor_id", "day")
        .distinct()
        .order_by()
    )
    return set(rows)


@dataclass(frozen=True)
class PaymentOutcomes:
    """Payment attempts created in a window by how they ended, and refunds settled."""

    succeeded: int
    failed: int
    pending: int
    review: int
    refunds: int

    @property
    def failure_rate(self) -> float:
        """Failed over finished (succeeded + failed) attempts; 0 without any."""
        finished = self.succeeded + self.failed
        return self.failed / finished if finished else 0.0


def payment_outcomes(*, start: date, end: date) -> PaymentOutcomes:
    """Attempts created on the UTC days `start`..`end` (both included) by status, and
    refunds that succeeded in them (two queries)."""
    first, _ = _day_window(start)
    _, last = _day_window(end)
    counts = dict(
        Payment.objects.filter(created_at__gte=first, created_at__lt=last)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    refunds = Refund.objects.filter(
        status=Refund.Status.SUCCEEDED, created_at__gte=first, created_at__lt=last
    ).count()
    return PaymentOutcomes(
        succeeded=counts.get(Payment.Status.SUCCEEDED, 0),
        failed=counts.get(Payment.Status.FAILED, 0),
        pending=counts.get(Payment.Status.PENDING, 0),
        review=counts.get(Payment.Status.REVIEW, 0),
        refunds=refunds,
    )
