"""Starting (or resuming) the payment of an order with a provider."""

from __future__ import annotations

import dataclasses
import secrets

from django.conf import settings
from django.db import transaction

from shared_domain.accounts.selectors import Account, payout_accounts
from shared_domain.common.errors import PermissionDenied, ValidationFailed
from shared_domain.orders.selectors import OrderSettlement, order_settlement
from shared_domain.payments.errors import OrderNotPayable, PaymentInProgress
from shared_domain.payments.models import Payment
from shared_domain.payments.money import to_minor
from shared_domain.payments.providers import (
    ChargeRequest,
    Share,
    provider_codes,
    provider_get,
)
from shared_domain.payments.services._common import audit_payment, order_payments_lock

# Orders that may take a payment: awaiting it, or after a failed attempt.
PAYABLE = ("pending_payment", "payment_failed")


@dataclasses.dataclass(frozen=True)
class PaymentStart:
    reference: str
    provider: str
    amount: int
    currency: str
    authorization_url: str
    client_secret: str
    status: str
    created: bool


def _view(payment: Payment, *, created: bool) -> PaymentStart:
    return PaymentStart(
        reference=payment.reference,
        provider=payment.provider,
        amount=payment.amount,
        currency=payment.currency,
        authorization_url=payment.authorization_url,
        client_secret=payment.client_secret,
        status=payment.status,
        created=created,
    )


def provider_check(provider: object) -> str:
    code = provider.strip().lower() if isinstance(provider, str) else ""
    if code not in provider_codes():
        raise ValidationFailed(
            details={"provider": [f"Use one of: {', '.join(provider_codes())}."]}
        )
    return code


def _shares(order: OrderSettlement, provider: str) -> tuple[Share, ...]:
    """The vendors' shares the provider can route itself: Paystack to every vendor
    with a subaccount; Stripe (a destination charge) only for a single-vendor order
    whose vendor has a connected account. The rest is collected by the platform and
    owed through the ledger."""
    accounts = payout_accounts(vendor_ids=[p.vendor_id for p in order.parts])
    shares = []
    for part in order.parts:
        payout = accounts.get(part.vendor_id)
        account = ""
        if payout is not None:
            account = (
                payout.paystack_subaccount_code
                if provider == "paystack"
                else payout.stripe_account_id
            )
        if account:
            shares.append(
                Share(
                    vendor_id=part.vendor_id,
                    account=account,
                    amount=to_minor(part.vendor_payout, order.currency),
                )
            )
    if provider == "stripe" and (len(order.parts) != 1 or len(shares) != 1):
        return ()
    return tuple(shares)


def payment_start(*, customer: Account, order_id: int, provider: str) -> PaymentStart:
    """Open a charge for the order's total with `provider`, or return the attempt
    still open with it (no second charge). Only the order's customer; only unpaid
    orders (409 order_not_payable); another provider's open attempt is 409
    payment_in_progress. The provider is called while the order's payment lock is
    held, so concurrent requests get the same attempt."""
    code = provider_check(provider)
    if not customer.is_customer:
        raise PermissionDenied("Only customers pay for orders.")
    with transaction.atomic():
        order_payments_lock(order_id)
        order = order_settlement(order_id=order_id, customer=customer)
        if order.status not in PAYABLE:
            raise OrderNotPayable(details={"status": order.status})
        amount = to_minor(order.total, order.currency)
        live = Payment.objects.filter(order_id=order.id, status=Payment.Status.PENDING).first()
        if live is not None:
            if live.provider == code and live.amount == amount:
                return _view(live, created=False)
            raise PaymentInProgress(
                details={"provider": live.provider, "reference": live.reference}
            )
        reference = f"{order.number}-{secrets.token_hex(4).upper()}"
        shares = _shares(order, code)
        charge = provider_get(code).initialize(
            ChargeRequest(
                reference=reference,
                amount=amount,
                currency=order.currency,
                email=order.customer_email,
                metadata={"order_id": order.id, "order_number": order.number},
                shares=shares,
                callback_url=settings.PAYMENT_CALLBACK_URL,
            )
        )
        payment = Payment.objects.create(
            order_id=order.id,
            provider=code,
            reference=reference,
            provider_id=charge.provider_id,
            amount=amount,
            currency=order.currency,
            authorization_url=charge.authorization_url,
            client_secret=charge.client_secret,
            routed={str(s.vendor_id): s.amount for s in shares},
        )
        audit_payment("payment.started", payment, actor_id=customer.pk, amount=amount)
    return _view(payment, created=True)
