"""SPEC §8 steps 4-5 through the ingress: a vendor lists and publishes a product and
sets its stock on v1; shoppers find it on v2 search and v1 listing with one ranking."""

from __future__ import annotations

import pytest

from tests.e2e.mailbox import verification_code

pytestmark = pytest.mark.e2e

PASSWORD = "Vendor-Pass-2026-Ankara"


def _vendor_token(ingress, email, store_name="Ada Styles E2E", mail_dir=None):
    """A new vendor's access token; with `mail_dir`, after verifying its email (which
    selling needs)."""
    registered = ingress.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": "Ada Obi", "role": "vendor",
              "store_name": store_name},
    )  # fmt: skip
    assert registered.status_code == 201, registered.text
    if mail_dir is not None:
        code = verification_code(mail_dir, email)
        verified = ingress.post("/api/v1/auth/verify-email", json={"email": email, "code": code})
        assert verified.status_code == 200, verified.text
    login = ingress.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access']}"}


def test_vendor_lists_publishes_and_shoppers_find_it(ingress, e2e_env, mail_dir):
    from deploy.localstack.stack import manage

    # A category tree as staff would create it (the demo data command builds one).
    manage(["seed_demo", "--vendors", "1", "--products", "0"], env=e2e_env)
    categories = ingress.get("/api/v1/categories").json()["items"]
    women = next(c for c in categories if c["name"] == "Women")
    dresses = next(c for c in women["children"] if c["name"] == "Dresses")
    maxi = next(c for c in dresses["children"] if c["name"] == "Maxi")

    vendor = _vendor_token(ingress, "ada.vendor.e2e@example.com", mail_dir=mail_dir)
    created = ingress.post(
        "/api/v1/vendor/products",
        headers=vendor,
        json={
            "title": "Ankara Maxi Dress", "description": "Flowing wax print gown", "category": maxi["id"],
            "price": "25000.00", "currency": "NGN", "brand": "Ada Styles",
            "variants": [{"sku": "E2E-AMD-RED-M", "size": "M", "colour": "red", "stock": 5},
                         {"sku": "E2E-AMD-RED-L", "size": "L", "colour": "red", "stock": 0}],
        },
    )  # fmt: skip
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["status"] == "draft"
    hidden = ingress.get("/api/v2/products/search", params={"q": "ankara maxi"}).json()
    assert product["id"] not in [i["id"] for i in hidden["items"]]  # drafts are not for sale

    published = ingress.post(f"/api/v1/vendor/products/{product['id']}/publish", headers=vendor)
    assert (published.status_code, published.json()["status"]) == (200, "active")
    variant_l = next(v for v in product["variants"] if v["size"] == "L")
    stock = ingress.put(
        f"/api/v1/vendor/variants/{variant_l['id']}/stock", headers=vendor, json={"quantity": 12}
    )
    assert stock.json()["available"] == 12

    found = ingress.get(
        "/api/v2/products/search",
        params={"q": "ankara dress", "size": "M", "in_stock": "true", "limit": 20},
    ).json()
    assert found["total"] >= 1
    item = next(i for i in found["items"] if i["id"] == product["id"])
    assert item["price"] == "25000.00"
    assert item["vendor"]["name"] == "Ada Styles E2E"
    assert item["sizes_in_stock"] == ["M", "L"]
    assert {f["label"] for f in found["facets"]["category"]} >= {"Maxi"}

    v1 = ingress.get("/api/v1/products", params={"search": "ankara dress"}).json()["items"]
    v2 = ingress.get("/api/v2/products/search", params={"q": "ankara dress", "limit": 50}).json()[
        "items"
    ]
    assert [i["id"] for i in v1] == [i["id"] for i in v2]

    detail = ingress.get(f"/api/v2/products/{product['id']}").json()
    assert {v["sku"]: v["available"] for v in detail["variants"]} == {
        "E2E-AMD-RED-M": 5,
        "E2E-AMD-RED-L": 12,
    }
    by_sku = ingress.get("/api/v2/products/search", params={"q": "e2e-amd-red-l"}).json()["items"]
    assert by_sku[0]["id"] == product["id"]


def test_another_vendor_gets_404_for_the_product(ingress):
    owner = _vendor_token(ingress, "owner.e2e@example.com", store_name="Owner E2E")
    intruder = _vendor_token(ingress, "intruder.e2e@example.com", store_name="Intruder E2E")
    product = ingress.post(
        "/api/v1/vendor/products",
        headers=owner,
        json={"title": "Private Draft", "price": "5000.00"},
    ).json()
    for method, path in (("get", ""), ("post", "/publish"), ("post", "/archive")):
        response = getattr(ingress, method)(
            f"/api/v1/vendor/products/{product['id']}{path}", headers=intruder
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
