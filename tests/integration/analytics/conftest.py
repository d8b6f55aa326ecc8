"""Fixtures of the analytics tests: the two-store shop and the payment sandbox of the
payments tests, and a helper that takes an order through checkout and payment."""

from __future__ import annotations

from typing import Any

from shared_domain.orders.models import Order
from shared_domain.payments.models import Payment
from shared_domain.payments.services import payment_settle, payment_start
from tests.integration.payments.conftest import customer, pay, place, sandbox, shop

__all__ = ["customer", "place", "sandbox", "settle", "shop"]


def settle(sandbox: Any, order: Order, provider: str = "paystack") -> Payment:
    """Start a payment of the order, pay it at the sandbox, and settle it."""
    started = payment_start(customer=order.customer, order_id=order.pk, provider=provider)
    pay(None, sandbox, started.reference)
    payment = Payment.objects.get(reference=started.reference)
    outcome = payment_settle(reference=payment.reference, provider=provider,
                             outcome="succeeded", amount=payment.amount,
                             currency=payment.currency, source="test")  # fmt: skip
    assert outcome == "paid"
    return payment
