"""Fixtures of the payments tests: an unpaid order of two stores, and the local
payment sandbox under the provider adapters (httpx.WSGITransport: no network), whose
webhooks are collected so a test can deliver them through the API itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.test import override_settings

from deploy.payment_sandbox.app import Sandbox, SandboxConfig
from shared_domain.orders import services as orders
from shared_domain.orders.models import Order
from shared_domain.payments.providers import http
from tests.integration.orders_api import ADDRESS, customer, send, shop

__all__ = ["customer", "shop"]

SANDBOX_URL = "http://sandbox.test"


class Outbox:
    """The webhooks the sandbox sent, to be delivered by the test."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str], bytes]] = []

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> None:
        self.sent.append((url, headers, body))

    def deliver(self, client: Any, index: int = -1) -> Any:
        url, headers, body = self.sent[index]
        path = url.removeprefix("http://testserver")
        return client.post(path, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    outbox = Outbox()
    app = Sandbox(
        SandboxConfig(
            paystack_secret_key=settings.PAYSTACK_SECRET_KEY,
            stripe_secret_key=settings.STRIPE_SECRET_KEY,
            stripe_webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            callback_base="http://testserver",
            public_url=SANDBOX_URL,
        ),
        deliver=outbox,
    )
    app.outbox = outbox  # type: ignore[attr-defined]
    http.transport_override = httpx.WSGITransport(app=app)
    try:
        with override_settings(
            PAYSTACK_BASE_URL=SANDBOX_URL,
            STRIPE_BASE_URL=SANDBOX_URL,
            PAYMENT_HTTP_BACKOFF=0.0,
        ):
            yield app
    finally:
        http.transport_override = None


def place(shop: dict[str, Any], customer: Any, *lines: tuple[str, int], key: str = "k") -> Order:
    items = [{"variant_id": shop["variants"][sku].pk, "quantity": q} for sku, q in lines]
    placed = orders.order_place(
        customer=customer, idempotency_key=key, shipping_address=ADDRESS, items=items
    )
    return Order.objects.get(pk=placed.order_id)


@pytest.fixture
def order(shop, customer) -> Order:
    """Unpaid: a dress of Ada's (25000.00) and a shirt of Eko's (15000.00) in NGN."""
    return place(shop, customer, ("DR-RED-M", 1), ("LS-BLU-L", 1))


def start(client: Any, order: Order, provider: str = "paystack", user: Any = None) -> Any:
    return send(client, "post", f"/api/v1/orders/{order.pk}/payments",
                user or order.customer, {"provider": provider})  # fmt: skip


def pay(client: Any, sandbox: Sandbox, reference: str, action: str = "pay") -> None:
    """Click Pay (or Decline) on the sandbox's hosted page."""
    token = sandbox.charges[reference].token
    status, _, _, _ = sandbox.route("POST", f"/checkout/{token}/{action}", {}, b"")
    assert status.startswith(("200", "303")), status
