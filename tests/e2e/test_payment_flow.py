"""SPEC §8 step 8 through the ingress on the real servers and the payment sandbox:
the customer starts a Paystack payment, pays on the sandbox's hosted page, the
sandbox delivers the signed webhook through the ingress, and the worker marks the
order paid. A declined Stripe payment leaves the order open."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Fashionistar-Demo-2026"
ADDRESS = {"name": "Ada Obi", "line1": "12 Marina Road", "city": "Lagos", "state": "Lagos",
           "country": "NG", "phone": "+234 803 123 4567"}  # fmt: skip


def _login(ingress, email):
    response = ingress.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def _checkout(ingress, customer):
    found = ingress.get("/api/v2/products/search", params={"in_stock": "true", "limit": 20}).json()
    for item in found["items"]:
        product = ingress.get(f"/api/v2/products/{item['id']}").json()
        variant = next((v for v in product["variants"] if v["available"] >= 1), None)
        if variant is not None:
            break
    assert variant is not None, "no product in stock"
    added = ingress.post("/api/v1/cart/items", headers=customer,
                         json={"variant_id": variant["id"], "quantity": 1})  # fmt: skip
    assert added.status_code == 201, added.text
    placed = ingress.post("/api/v1/checkout", json={"shipping_address": ADDRESS},
                          headers={**customer, "Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
    assert placed.status_code == 201, placed.text
    return placed.json()


def _wait_for_status(ingress, customer, order_id, wanted, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        status = ingress.get(f"/api/v1/orders/{order_id}", headers=customer).json()["status"]
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.3)


def test_pay_in_the_sandbox_and_the_order_becomes_paid(ingress, e2e_env):
    from deploy.localstack.stack import manage

    manage(["seed_demo", "--if-empty", "--vendors", "1", "--products", "12"], env=e2e_env)
    customer = _login(ingress, "customer@fashionistar.example")
    order = _checkout(ingress, customer)

    started = ingress.post(f"/api/v1/orders/{order['id']}/payments", headers=customer,
                           json={"provider": "paystack"})  # fmt: skip
    assert started.status_code == 201, started.text
    payment = started.json()
    assert payment["currency"] == order["currency"]
    assert payment["amount"] > 0

    # The customer's browser: the hosted page, then the Pay button (a form POST).
    with httpx.Client(timeout=10) as browser:
        page = browser.get(payment["authorization_url"])
        assert page.status_code == 200
        assert "Pay" in page.text
        assert "Decline" in page.text
        paid = browser.post(f"{payment['authorization_url']}/pay")
        assert paid.status_code in {200, 303}

    assert _wait_for_status(ingress, customer, order["id"], "paid") == "paid"

    # Starting again after payment is refused.
    again = ingress.post(f"/api/v1/orders/{order['id']}/payments", headers=customer,
                         json={"provider": "paystack"})  # fmt: skip
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "order_not_payable"


def test_a_declined_stripe_payment_leaves_the_order_open(ingress, e2e_env, stack):
    from deploy.localstack.stack import manage

    manage(["seed_demo", "--if-empty", "--vendors", "1", "--products", "12"], env=e2e_env)
    customer = _login(ingress, "customer@fashionistar.example")
    order = _checkout(ingress, customer)
    started = ingress.post(f"/api/v1/orders/{order['id']}/payments", headers=customer,
                           json={"provider": "stripe"})  # fmt: skip
    assert started.status_code == 201, started.text
    assert started.json()["client_secret"]
    with httpx.Client(base_url=stack.ports.sandbox_url, timeout=10) as browser:
        index = browser.get("/")
        reference = started.json()["reference"]
        assert reference in index.text
        token = index.text.split(reference)[0].rsplit('href="/checkout/', 1)[1].split('"')[0]
        declined = browser.post(f"/checkout/{token}/decline")
        assert declined.status_code == 200
    assert _wait_for_status(ingress, customer, order["id"], "payment_failed") == "payment_failed"
