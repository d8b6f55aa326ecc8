"""Payment attempts, the provider webhooks that settle them, refunds, and the vendor
ledger. Every amount here is an integer in the currency's minor unit (kobo, cents)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class Provider(models.TextChoices):
    PAYSTACK = "paystack", "Paystack"
    STRIPE = "stripe", "Stripe"


class Payment(models.Model):
    """One attempt to collect an order's total through a provider."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # The provider reported money we cannot accept as it is (amount or currency
        # differ from the order): the order stays unpaid until staff decide.
        REVIEW = "review", "Held for review"

    class Flag(models.TextChoices):
        NONE = "", "None"
        AMOUNT_MISMATCH = "amount_mismatch", "Amount differs from the order"
        CURRENCY_MISMATCH = "currency_mismatch", "Currency differs from the order"
        # Money arrived for an order that can no longer be paid (cancelled, or paid by
        # another attempt): it must go back to the customer.
        PAID_AFTER_CLOSE = "paid_after_close", "Paid after the order closed"
        DUPLICATE = "duplicate_payment", "Order already paid by another attempt"

    # The commerce context sits below payments: only the string reference here.
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    # Ours, sent to the provider (Paystack's `reference`, Stripe's metadata).
    reference = models.CharField(max_length=64, unique=True)
    # The provider's own id of the charge (Stripe PaymentIntent id, Paystack id).
    provider_id = models.CharField(max_length=128, blank=True, db_index=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    authorization_url = models.URLField(max_length=500, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
    amount_refunded = models.BigIntegerField(default=0)
    # {vendor id: minor units} the provider routes straight to vendors (split payment).
    routed = models.JSONField(default=dict, blank=True)
    flag = models.CharField(max_length=24, choices=Flag.choices, blank=True, default="")
    flag_details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One live attempt per order: initialising again returns it.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="pending"), name="payment_one_live_per_order"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=models.F("amount")),
                name="payment_refunds_within_amount",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], name="payment_pending_idx", condition=Q(status="pending")
            ),
            models.Index(fields=["order", "-id"], name="payment_order_recent"),
        ]

    def __str__(self) -> str:
        return self.reference


class WebhookEvent(models.Model):
    """A verified provider notification, stored before it is answered. The unique
    (provider, event key) makes a redelivery a no-op."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    # Paystack: "<event>:<data.id>"; Stripe: the event id.
    event_key = models.CharField(max_length=255)
    event_type = models.CharField(max_length=64)
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What processing made of it (settled, ignored, unknown_reference, stale...).
    outcome = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_key"], name="webhookevent_provider_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_key}"


class Refund(models.Model):
    """Money sent back for (part of) one vendor order of a paid order."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    vendor_order = models.ForeignKey(
        "orders.VendorOrder", on_delete=models.PROTECT, related_name="+"
    )
    # Sent to the provider as the idempotency key of the refund request.
    reference = models.CharField(max_length=64, unique=True)
    provider_refund_id = models.CharField(max_length=128, blank=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=255, blank=True)
    # {order item id: units returned}
    items = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference


class LedgerEntry(models.Model):
    """Append-only: what the marketplace owes a vendor, one signed movement at a time
    (positive: owed to the vendor). A vendor's balance is the sum of its entries."""

    class Kind(models.TextChoices):
        SALE = "sale", "Sale"
        COMMISSION = "commission", "Commission"
        REFUND = "refund", "Refund"
        COMMISSION_REVERSAL = "commission_reversal", "Commission reversal"
        PAYOUT = "payout", "Payout"

    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.PROTECT, related_name="+"
    )
    vendor_order = models.ForeignKey(
        "orders.VendorOrder", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Makes each movement happen once whatever retries occur ("sale:p12:vo5").
    entry_key = models.CharField(max_length=96, unique=True)
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["vendor", "currency"], name="ledger_vendor_currency"),
            # The analytics rollups read one vendor's day of entries at a time.
            models.Index(fields=["vendor", "created_at"], name="ledger_vendor_created"),
        ]
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} (vendor {self.vendor_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Ledger entries are append-only; add a correcting entry.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are append-only; add a correcting entry.")
