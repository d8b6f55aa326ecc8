"""Reads of the payments context: an order's payment attempts, and a vendor's
balance from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Sum

from shared_domain.accounts.selectors import Account, vendor_profile_id_for_user
from shared_domain.common.errors import PermissionDenied
from shared_domain.payments.models import LedgerEntry, Payment


@dataclass(frozen=True)
class PaymentView:
    reference: str
    provider: str
    status: str
    amount: int
    currency: str
    amount_refunded: int
    created_at: datetime
    settled_at: datetime | None


def payments_of_order(*, order_id: int) -> list[PaymentView]:
    rows = Payment.objects.filter(order_id=order_id).order_by("pk")
    return [
        PaymentView(
            reference=p.reference,
            provider=p.provider,
            status=p.status,
            amount=p.amount,
            currency=p.currency,
            amount_refunded=p.amount_refunded,
            created_at=p.created_at,
            settled_at=p.settled_at,
        )
        for p in rows
    ]


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
