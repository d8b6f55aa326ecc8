"""Carts, marketplace orders (one `VendorOrder` per vendor), their items (snapshots of
what was bought) and the history of every status change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shared_domain.orders.lifecycle import Status


class Cart(models.Model):
    """One per customer. It holds one currency (that of its first item)."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    currency = models.CharField(max_length=3, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.customer_id}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cartitem_cart_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cartitem_quantity_positive"),
        ]
        ordering = ("added_at", "pk")

    def __str__(self) -> str:
        return f"{self.quantity} x variant {self.variant_id}"


class Order(models.Model):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    number = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.PENDING_PAYMENT
    )
    currency = models.CharField(max_length=3)
    # Wide enough for the largest order the limits allow (50 lines x 20 units at the
    # highest catalog price).
    subtotal = models.DecimalField(max_digits=16, decimal_places=2)
    total = models.DecimalField(max_digits=16, decimal_places=2)
    shipping_address = models.JSONField()
    # Until when the stock is reserved for payment (then the order is cancelled).
    expires_at = models.DateTimeField()
    cancel_reason = models.CharField(max_length=32, blank=True)
    placed_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-id"], name="order_customer_recent"),
            models.Index(
                fields=["expires_at"],
                name="order_unpaid_expiry_idx",
                condition=Q(status="pending_payment"),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class VendorOrder(models.Model):
    """The part of an order one vendor fulfils, with the platform's commission."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="vendor_orders")
    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.PENDING_PAYMENT
    )
    subtotal = models.DecimalField(max_digits=16, decimal_places=2)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4)
    commission_amount = models.DecimalField(max_digits=16, decimal_places=2)
    vendor_payout = models.DecimalField(max_digits=16, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "vendor"], name="vendororder_order_vendor"),
        ]
        indexes = [models.Index(fields=["vendor", "-id"], name="vendororder_vendor_recent")]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.vendor_id}"


class OrderItem(models.Model):
    """What was bought, as it was at checkout (title, SKU, size, colour, price)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    vendor_order = models.ForeignKey(VendorOrder, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.PROTECT, related_name="+"
    )
    product_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    size = models.CharField(max_length=32)
    colour = models.CharField(max_length=40)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderStatusChange(models.Model):
    """The order history: every transition of an order or one of its vendor orders
    (who, when, from, to, why). Its ids are the SSE event ids."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    vendor_order = models.ForeignKey(
        VendorOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("pk",)
        # The analytics rollups read one UTC day of history at a time.
        indexes = [models.Index(fields=["created_at"], name="orderstatuschange_created")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} -> {self.to_status}"


class CheckoutRequest(models.Model):
    """An Idempotency-Key of a customer's checkout: the same key and body give the
    same order; the same key with another body is refused."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "key"], name="checkoutrequest_customer_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.key}"


class ReturnReason(models.TextChoices):
    TOO_SMALL = "too_small", "Too small"
    TOO_LARGE = "too_large", "Too large"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    OTHER = "other", "Other"


class ReturnRequest(models.Model):
    """A customer sends back some units of a delivered item, for a structured reason.
    The refund is a separate step (payments: a staff or vendor refund of the part)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    vendor_order = models.ForeignKey(VendorOrder, on_delete=models.CASCADE, related_name="returns")
    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="returns")
    # Denormalised from the vendor order: the vendor's list and daily figures read it.
    vendor = models.ForeignKey(
        "accounts.VendorProfile", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=ReturnReason.choices)
    comment = models.TextField(blank=True)
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["vendor", "-id"], name="return_vendor_recent"),
            models.Index(fields=["vendor", "created_at"], name="return_vendor_day"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x item {self.item_id} ({self.reason})"
