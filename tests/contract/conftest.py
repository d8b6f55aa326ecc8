"""What the contract tests share: the committed OpenAPI documents, one set of real
objects of every kind the APIs address (owned by a customer, a vendor, and by others),
and bearer tokens for each role.

The objects are committed once for the whole package (v2 reads on connections of its
own, so a test transaction would hide them) and the tables are flushed after it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
V1_SPEC = ROOT / "docs" / "api" / "v1.yaml"
V2_SPEC = ROOT / "docs" / "api" / "v2.json"

ADDRESS = {
    "name": "Ada Obi",
    "line1": "12 Marina Road",
    "city": "Lagos",
    "state": "Lagos",
    "country": "ng",
    "phone": "+234 803 123 4567",
}
CHART = {
    "name": "Dresses",
    "fit_type": "slim",
    "ease_cm": 4,
    "rows": [
        {"label": "S", "chest_min": 84, "chest_max": 88, "waist_min": 68, "waist_max": 72},
        {"label": "M", "chest_min": 88, "chest_max": 96, "waist_min": 72, "waist_max": 78},
    ],
}


def load_spec(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


@dataclass
class World:
    """Users by role, and the ids of the objects each path parameter can name."""

    users: dict[str, Any]
    ids: dict[str, Any]
    # Objects that an operation destroys or moves to an end state get their own, so
    # that the operations after it still address live ones: (method, path) -> ids.
    spare: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def token(self, role: str) -> str:
        from shared_domain.accounts import tokens

        user = type(self.users[role]).objects.get(pk=self.users[role].pk)
        return tokens.access_token(user_id=user.pk, version=user.token_version)[0]

    def headers(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.token(role)}"}

    def path_ids(self, method: str, path: str) -> dict[str, Any]:
        return {**self.ids, **self.spare.get((method.upper(), path), {})}


def _build() -> World:
    from shared_domain.analytics.reports import report_build, report_request, report_task_extras
    from shared_domain.catalog.services import image_add
    from shared_domain.common.tasking import enqueue_for_user
    from shared_domain.orders import services as orders
    from shared_domain.orders.models import Order
    from shared_domain.orders.services import cart_item_add
    from shared_domain.payments.models import Payment
    from shared_domain.sizing.services import (
        body_profile_put,
        measurement_estimate,
        measurement_start,
        size_chart_create,
    )
    from tests import tasks
    from tests.factories import (
        CustomerFactory,
        StaffFactory,
        VendorFactory,
        category_tree_fixture,
        make_product,
    )
    from tests.images import photo_bytes

    tree = category_tree_fixture()
    customer, other_customer = CustomerFactory.create(), CustomerFactory.create()
    vendor, other_vendor = VendorFactory.create(), VendorFactory.create()
    staff = StaffFactory.create()

    def product(owner: Any, title: str, sku: str) -> Any:
        return make_product(
            owner,
            title=title,
            category=tree["Maxi"],
            price="25000",
            variants=[(f"{sku}-M", "M", "red", 50), (f"{sku}-L", "L", "blue", 50)],
        )

    dress = product(vendor, "Ankara Maxi Dress", "DR")
    spare_dress = product(vendor, "Adire Maxi Dress", "AD")
    shirt = product(other_vendor, "Linen Shirt", "LS")
    variant, spare_variant = list(dress.variants.order_by("pk"))
    image = image_add(product=dress, url="https://img.example/dress-1.jpg", alt_text="Front")
    spare_image = image_add(product=dress, url="https://img.example/dress-2.jpg")
    chart = size_chart_create(vendor_id=vendor.vendor_profile.pk, data=CHART)
    spare_chart = size_chart_create(vendor_id=vendor.vendor_profile.pk, data=CHART)
    body_profile_put(user=customer, data={"chest_cm": 90, "waist_cm": 74})
    cart_item = cart_item_add(customer=customer, variant_id=variant.pk, quantity=1)
    spare_cart_item = cart_item_add(customer=customer, variant_id=spare_variant.pk, quantity=1)

    # Orders through the real checkout, so that their stock is reserved and allocated
    # as the later transitions expect.
    def place(buyer: Any, item: Any, key: str) -> Any:
        placed = orders.order_place(
            customer=buyer,
            idempotency_key=key,
            shipping_address=ADDRESS,
            items=[{"variant_id": item.pk, "quantity": 1}],
        )
        return Order.objects.get(pk=placed.order_id)

    paid = place(customer, variant, "contract-paid")
    orders.order_mark_paid(order_id=paid.pk)
    pending = place(customer, variant, "contract-pending")
    delivered = place(customer, variant, "contract-delivered")
    orders.order_mark_paid(order_id=delivered.pk)
    part = delivered.vendor_orders.get().pk
    orders.vendor_order_ship(
        vendor=vendor, vendor_order_id=part, carrier="local", tracking_number="LC-CONTRACT"
    )
    orders.vendor_order_deliver(vendor=vendor, vendor_order_id=part)
    # Cancelled by its customer: it has the status history live updates read.
    cancelled = place(customer, variant, "contract-cancelled")
    orders.order_cancel(customer=customer, order_id=cancelled.pk)
    others = place(other_customer, shirt.variants.order_by("pk").first(), "contract-others")
    payment = Payment.objects.create(
        order=paid,
        provider="paystack",
        reference="FS-PAY-CONTRACT-1",
        amount=10000,
        currency="NGN",
        status=Payment.Status.SUCCEEDED,
    )
    task = enqueue_for_user(tasks.urgent, customer.pk, "report ready")
    queued = report_request(user=vendor, kind="inventory")
    report_build(report_id=queued.report_id)
    extras = report_task_extras(queued.task_id)
    assert extras is not None
    report_token = extras.downloads[0].url.rsplit("/", 1)[-1]
    photo = photo_bytes("JPEG")
    measurement = measurement_start(
        user=customer, photo=io.BytesIO(photo), photo_size=len(photo), height_cm=172
    )
    measurement_estimate(measurement_id=str(measurement.pk), last_attempt=True)

    ids: dict[str, Any] = {
        "product_id": dress.pk,
        "variant_id": variant.pk,
        "image_id": image.pk,
        "chart_id": chart.pk,
        "order_id": paid.pk,
        "vendor_order_id": paid.vendor_orders.get().pk,
        "item_id": cart_item.pk,
        "task_id": str(task.id),
        "measurement_id": str(measurement.pk),
        "token": report_token,
        "reference": payment.reference,
        "provider": "paystack",
        "carrier": "local",
        # Not path parameters: what valid bodies name.
        "returnable_item_id": delivered.items.get().pk,
        "image_ids": [image.pk, spare_image.pk],
    }
    spare: dict[tuple[str, str], dict[str, Any]] = {}
    for method, path, values in [
        ("DELETE", "/api/v1/vendor/products/{product_id}", {"product_id": spare_dress.pk}),
        ("POST", "/api/v1/vendor/products/{product_id}/archive", {"product_id": spare_dress.pk}),
        (
            "DELETE",
            "/api/v1/vendor/products/{product_id}/variants/{variant_id}",
            {"variant_id": spare_variant.pk},
        ),
        (
            "DELETE",
            "/api/v1/vendor/products/{product_id}/images/{image_id}",
            {"image_id": spare_image.pk},
        ),
        ("DELETE", "/api/v1/vendor/size-charts/{chart_id}", {"chart_id": spare_chart.pk}),
        ("DELETE", "/api/v1/cart/items/{item_id}", {"item_id": spare_cart_item.pk}),
        ("POST", "/api/v1/orders/{order_id}/cancel", {"order_id": pending.pk}),
        ("POST", "/api/v1/orders/{order_id}/payments", {"order_id": pending.pk}),
        ("POST", "/api/v1/orders/{order_id}/returns", {"order_id": delivered.pk}),
        ("POST", "/api/v2/orders/{order_id}/returns", {"order_id": delivered.pk}),
        ("GET", "/api/v1/orders/{order_id}/returns", {"order_id": delivered.pk}),
        ("GET", "/api/v2/orders/{order_id}/returns", {"order_id": delivered.pk}),
        (
            "POST",
            "/api/v1/orders/{order_id}/items/{item_id}/review",
            {"order_id": delivered.pk, "item_id": delivered.items.get().pk},
        ),
        # The live stream of an order in an end state closes at once.
        ("GET", "/api/v2/orders/{order_id}/events", {"order_id": cancelled.pk}),
    ]:
        spare[(method, path)] = values
    users = {
        "customer": customer,
        "other_customer": other_customer,
        "vendor": vendor,
        "other_vendor": other_vendor,
        "staff": staff,
    }
    del others  # another customer's order with another vendor: ids the roles must not reach
    return World(users=users, ids=ids, spare=spare)


@pytest.fixture(scope="package")
def measurement_photos(tmp_path_factory) -> Iterator[None]:
    """Photo measurements with a test estimator and photos under a temporary folder, so
    uploads are accepted (no estimator ships with the project)."""
    from django.conf import settings
    from django.test import override_settings

    root = tmp_path_factory.mktemp("measurement-photos")
    storages = {
        **settings.STORAGES,
        "measurement_photos": {
            "BACKEND": "shared_domain.sizing.photos.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    with override_settings(
        STORAGES=storages, MEASUREMENT_ESTIMATOR="tests.estimators.ProportionEstimator"
    ):
        yield


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, measurement_photos) -> Iterator[World]:
    from django.core.management import call_command

    with django_db_blocker.unblock():
        try:
            yield _build()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="package", autouse=True)
def payment_sandbox() -> Iterator[None]:
    """The local payment sandbox under the provider adapters (no network): payments
    started and refunds sent by the contract tests reach a provider that answers."""
    import httpx
    from django.conf import settings
    from django.test import override_settings

    from deploy.payment_sandbox.app import Sandbox, SandboxConfig
    from shared_domain.payments.providers import http

    app = Sandbox(
        SandboxConfig(
            paystack_secret_key=settings.PAYSTACK_SECRET_KEY,
            stripe_secret_key=settings.STRIPE_SECRET_KEY,
            stripe_webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            callback_base="http://testserver",
            public_url="http://sandbox.test",
        ),
        deliver=lambda url, headers, body: None,
    )
    http.transport_override = httpx.WSGITransport(app=app)
    try:
        with override_settings(
            PAYSTACK_BASE_URL="http://sandbox.test",
            STRIPE_BASE_URL="http://sandbox.test",
            PAYMENT_HTTP_BACKOFF=0.0,
        ):
            yield
    finally:
        http.transport_override = None
