"""The vendor ledger: append-only signed entries per vendor order (positive: owed to
the vendor). Each movement has a key, so retries never write it twice."""

from __future__ import annotations

from shared_domain.orders.selectors import OrderSettlement
from shared_domain.payments.models import LedgerEntry, Payment, Refund
from shared_domain.payments.money import to_minor

Kind = LedgerEntry.Kind


def _add(entries: list[LedgerEntry]) -> None:
    # ignore_conflicts: an entry already written (same entry_key) stays as it is.
    LedgerEntry.objects.bulk_create([e for e in entries if e.amount], ignore_conflicts=True)


def ledger_record_sale(*, payment: Payment, order: OrderSettlement) -> None:
    """A settled payment: each vendor's sale, the platform's commission, and the
    share the provider already routed to the vendor (a payout by split)."""
    entries = []
    for part in order.parts:
        common = {
            "vendor_id": part.vendor_id,
            "vendor_order_id": part.id,
            "currency": payment.currency,
            "payment": payment,
        }
        entries += [
            LedgerEntry(
                kind=Kind.SALE,
                amount=to_minor(part.subtotal, order.currency),
                entry_key=f"sale:p{payment.pk}:vo{part.id}",
                **common,
            ),
            LedgerEntry(
                kind=Kind.COMMISSION,
                amount=-to_minor(part.commission_amount, order.currency),
                entry_key=f"commission:p{payment.pk}:vo{part.id}",
                **common,
            ),
        ]
        routed = int(payment.routed.get(str(part.vendor_id), 0))
        if routed:
            entries.append(
                LedgerEntry(
                    kind=Kind.PAYOUT,
                    amount=-routed,
                    entry_key=f"payout:split:p{payment.pk}:vo{part.id}",
                    memo=f"Routed by {payment.provider} at payment",
                    **common,
                )
            )
    _add(entries)


def ledger_record_refund(*, refund: Refund, vendor_id: int, commission_reversed: int) -> None:
    """A refund takes the refunded amount back from the vendor and gives back the
    commission on it."""
    common = {
        "vendor_id": vendor_id,
        "vendor_order_id": refund.vendor_order_id,
        "currency": refund.currency,
        "payment_id": refund.payment_id,
        "refund": refund,
    }
    _add(
        [
            LedgerEntry(
                kind=Kind.REFUND,
                amount=-refund.amount,
                entry_key=f"refund:r{refund.pk}",
                **common,
            ),
            LedgerEntry(
                kind=Kind.COMMISSION_REVERSAL,
                amount=commission_reversed,
                entry_key=f"commission_reversal:r{refund.pk}",
                **common,
            ),
        ]
    )


def ledger_record_refund_failed(*, refund: Refund) -> None:
    """The provider did not send a refund after all: the vendor is owed the amount
    again, and the commission returned on it is taken back."""
    vendor_id = (
        LedgerEntry.objects.filter(entry_key=f"refund:r{refund.pk}")
        .values_list("vendor_id", flat=True)
        .first()
    )
    if vendor_id is None:
        return  # nothing was taken from the vendor for it
    reversed_commission = (
        LedgerEntry.objects.filter(entry_key=f"commission_reversal:r{refund.pk}")
        .values_list("amount", flat=True)
        .first()
    ) or 0
    common = {
        "vendor_id": vendor_id,
        "vendor_order_id": refund.vendor_order_id,
        "currency": refund.currency,
        "payment_id": refund.payment_id,
        "refund": refund,
        "memo": "The provider reported the refund failed",
    }
    _add(
        [
            LedgerEntry(
                kind=Kind.REFUND,
                amount=refund.amount,
                entry_key=f"refund_failed:r{refund.pk}",
                **common,
            ),
            LedgerEntry(
                kind=Kind.COMMISSION_REVERSAL,
                amount=-reversed_commission,
                entry_key=f"commission_reversal_failed:r{refund.pk}",
                **common,
            ),
        ]
    )
