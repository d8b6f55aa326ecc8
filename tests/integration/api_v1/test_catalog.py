"""v1 catalog: SPEC §8 step 4 shapes, the vendor back office (isolation on every
endpoint), public listing with filters and cursor pages, query budgets."""

from __future__ import annotations

import base64
import json

import pytest

from shared_domain.accounts import services as accounts
from shared_domain.catalog.models import Product
from shared_domain.inventory.models import Stock
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    StaffFactory,
    VendorFactory,
    category_tree_fixture,
    make_product,
)

pytestmark = pytest.mark.django_db


def auth(user):
    token = accounts.session_login(email=user.email, password=PASSWORD).tokens.access
    return {"Authorization": f"Bearer {token}"}


def send(client, method, path, user=None, body=None):
    headers = auth(user) if user else {}
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(
        path, data=data, content_type="application/json", headers=headers
    )


@pytest.fixture
def tree():
    return category_tree_fixture()


SPEC_PRODUCT = {
    "title": "Ankara Maxi Dress",
    "description": "Flowing wax print",
    "price": "25000.00",
    "currency": "NGN",
    "brand": "Ada Styles",
    "variants": [{"sku": "AMD-RED-M", "size": "M", "colour": "red", "stock": 5}],
}


def test_spec_step_4_create_publish_set_stock(client, tree):
    vendor = VendorFactory.create()
    created = send(
        client,
        "post",
        "/api/v1/vendor/products",
        vendor,
        {**SPEC_PRODUCT, "category": tree["Maxi"].pk},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert body["price"] == "25000.00"
    assert body["currency"] == "NGN"
    variant_id = body["variants"][0]["id"]
    assert body["variants"][0] == {
        "id": variant_id, "sku": "AMD-RED-M", "size": "M", "colour": "red", "colour_family": "red",
        "price": "25000.00", "is_active": True, "available": 5, "in_stock": True,
    }  # fmt: skip
    published = send(client, "post", f"/api/v1/vendor/products/{body['id']}/publish", vendor)
    assert (published.status_code, published.json()["status"]) == (200, "active")
    stock = send(
        client, "put", f"/api/v1/vendor/variants/{variant_id}/stock", vendor, {"quantity": 12}
    )
    assert stock.status_code == 200
    assert stock.json() == {
        "variant_id": variant_id,
        "sku": "AMD-RED-M",
        "quantity": 12,
        "allocated": 0,
        "available": 12,
    }


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"price": "-5"}, 400, "price"),
        ({"price": "abc"}, 400, "price"),
        ({"price": "99999999999999999"}, 400, "price"),
        ({"category": 999999}, 400, "category"),
        ({"category": "three"}, 400, "category"),
        ({"variants": [{"sku": "X-1", "size": "Q", "colour": "red"}]}, 400, "variants.0.size"),
        (
            {"variants": [{"sku": "X-1", "size": "M", "colour": "red", "stock": -3}]},
            400,
            "variants.0.stock",
        ),
        (
            {"variants": [{"sku": "X-1", "size": "M", "colour": "red", "stock": 10**9}]},
            400,
            "variants.0.stock",
        ),
        ({"title": "x" * 201}, 400, "title"),
        ({"owner": 1}, 400, "owner"),
    ],
)
def test_bad_product_inputs_are_400_and_write_nothing(client, tree, change, status, field):
    vendor = VendorFactory.create()
    response = send(
        client,
        "post",
        "/api/v1/vendor/products",
        vendor,
        {**SPEC_PRODUCT, "category": tree["Maxi"].pk, **change},
    )
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["details"]
    assert not Product.objects.exists()


def test_duplicate_sku_is_409_sku_taken(client, tree):
    vendor = VendorFactory.create()
    send(
        client,
        "post",
        "/api/v1/vendor/products",
        vendor,
        {**SPEC_PRODUCT, "category": tree["Maxi"].pk},
    )
    again = send(
        client,
        "post",
        "/api/v1/vendor/products",
        vendor,
        {**SPEC_PRODUCT, "category": tree["Maxi"].pk},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "sku_taken"
    assert Product.objects.count() == 1


def test_publish_without_category_lists_what_is_missing(client):
    vendor = VendorFactory.create()
    product = send(
        client, "post", "/api/v1/vendor/products", vendor, {"title": "Bare", "price": "10.00"}
    ).json()
    response = send(client, "post", f"/api/v1/vendor/products/{product['id']}/publish", vendor)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "not_publishable"
    assert set(error["details"]) == {"category", "variants"}


def test_stock_below_allocated_is_409(client, tree):
    vendor = VendorFactory.create()
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 5)]
    )
    variant = product.variants.get()
    Stock.objects.filter(variant=variant).update(allocated=4)
    response = send(
        client, "put", f"/api/v1/vendor/variants/{variant.pk}/stock", vendor, {"quantity": 3}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "below_allocated"
    for bad in (-1, "many", 2.5, None):
        assert (
            send(
                client,
                "put",
                f"/api/v1/vendor/variants/{variant.pk}/stock",
                vendor,
                {"quantity": bad},
            ).status_code
            == 400
        )


def test_vendor_cannot_see_or_touch_another_vendors_product_on_any_endpoint(client, tree):
    owner, intruder = VendorFactory.create(), VendorFactory.create()
    product = make_product(
        owner, title="Owned Dress", category=tree["Maxi"], variants=[("OD-1", "M", "red", 5)]
    )
    variant = product.variants.get()
    image = product.images.create(url="https://img.example/1.jpg")
    own = make_product(
        intruder, title="Intruder Top", category=tree["Tops"], variants=[("IT-1", "M", "red", 1)]
    )
    own_image = own.images.create(url="https://img.example/own.jpg")
    base = f"/api/v1/vendor/products/{product.pk}"
    own_base = f"/api/v1/vendor/products/{own.pk}"
    attempts = [
        ("get", base, None),
        ("patch", base, {"title": "Stolen"}),
        ("post", f"{base}/publish", None),
        ("post", f"{base}/archive", None),
        ("get", f"{base}/variants", None),
        ("post", f"{base}/variants", {"sku": "HACK-1", "size": "L", "colour": "red"}),
        ("patch", f"{base}/variants/{variant.pk}", {"is_active": False}),
        ("delete", f"{base}/variants/{variant.pk}", None),
        ("get", f"{base}/images", None),
        ("post", f"{base}/images", {"url": "https://evil.example/x.jpg"}),
        ("post", f"{base}/images/reorder", {"order": [image.pk]}),
        ("delete", f"{base}/images/{image.pk}", None),
        ("put", f"/api/v1/vendor/variants/{variant.pk}/stock", {"quantity": 0}),
        # Their own product's URL with the other vendor's variant or image.
        ("patch", f"{own_base}/variants/{variant.pk}", {"is_active": False}),
        ("delete", f"{own_base}/variants/{variant.pk}", None),
        ("delete", f"{own_base}/images/{image.pk}", None),
    ]
    for method, path, body in attempts:
        response = send(client, method, path, intruder, body)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "not_found"
    reorder = send(client, "post", f"{own_base}/images/reorder", intruder,
                   {"order": [own_image.pk, image.pk]})  # fmt: skip
    assert reorder.status_code == 400
    listed = send(client, "get", "/api/v1/vendor/products", intruder).json()["items"]
    assert [item["id"] for item in listed] == [own.pk]
    variants = send(client, "get", f"{own_base}/variants", intruder).json()
    assert [v["sku"] for v in variants] == ["IT-1"]
    product.refresh_from_db()
    assert (product.title, product.status, product.images.count()) == ("Owned Dress", "active", 1)
    variant.refresh_from_db()
    assert variant.is_active
    assert variant.stock.quantity == 5
    assert [i.pk for i in product.images.all()] == [image.pk]


def test_customers_and_anonymous_cannot_use_the_back_office(client):
    customer = CustomerFactory.create()
    assert send(client, "get", "/api/v1/vendor/products", customer).status_code == 403
    assert (
        send(client, "post", "/api/v1/vendor/products", customer, SPEC_PRODUCT).status_code == 403
    )
    assert send(client, "get", "/api/v1/vendor/products").status_code == 401


def test_staff_can_read_and_fix_any_vendors_product(client, tree):
    vendor, staff = VendorFactory.create(), StaffFactory.create()
    product = make_product(
        vendor, title="Typo Dresss", category=tree["Maxi"], variants=[("TD-1", "M", "red", 1)]
    )
    assert send(client, "get", f"/api/v1/vendor/products/{product.pk}", staff).status_code == 200
    fixed = send(
        client, "patch", f"/api/v1/vendor/products/{product.pk}", staff, {"title": "Typo Dress"}
    )
    assert fixed.json()["title"] == "Typo Dress"
    assert send(client, "post", "/api/v1/vendor/products", staff, SPEC_PRODUCT).status_code == 403


def test_vendor_list_filters_and_query_budget(client, tree, django_assert_num_queries):
    vendor = VendorFactory.create()
    for n in range(12):
        make_product(vendor, title=f"Dress {n}", category=tree["Maxi"], variants=[(f"D-{n}", "M", "red", n)],
                     publish=n % 2 == 0)  # fmt: skip
    headers = auth(vendor)
    client.get("/api/v1/vendor/products?category=women", headers=headers)  # cache the tree
    # Authentication (the user) + the page query, whatever the page size.
    for size in (2, 6):
        with django_assert_num_queries(2):
            response = client.get(
                f"/api/v1/vendor/products?status=draft&category=women&page_size={size}",
                headers=headers,
            )
        assert len(response.json()["items"]) == size
    items = client.get("/api/v1/vendor/products?status=draft", headers=headers).json()["items"]
    assert len(items) == 6
    assert {i["status"] for i in items} == {"draft"}
    assert (items[0]["variant_count"], items[0]["stock_total"]) == (1, 11)
    assert items[0]["category"] == {
        "id": tree["Maxi"].pk,
        "name": "Maxi",
        "slug": tree["Maxi"].slug,
    }
    sku = client.get("/api/v1/vendor/products?q=d-3", headers=headers).json()["items"]
    assert [i["title"] for i in sku] == ["Dress 3"]


def test_vendor_list_pages_with_a_cursor(client, tree):
    vendor = VendorFactory.create()
    made = [make_product(vendor, title=f"Dress {n}", category=tree["Maxi"], publish=False)
            for n in range(5)]  # fmt: skip
    headers = auth(vendor)
    seen, url = [], "/api/v1/vendor/products?page_size=2"
    while url:
        body = client.get(url, headers=headers).json()
        seen += [item["id"] for item in body["items"]]
        url = (
            body["next_cursor"]
            and f"/api/v1/vendor/products?page_size=2&cursor={body['next_cursor']}"
        )
    assert seen == sorted((p.pk for p in made), reverse=True)


@pytest.mark.parametrize("cursor", ["²", "1²", "١٢", "-1", "1.5", "9" * 30, "abc"])
def test_vendor_list_refuses_a_cursor_that_is_not_an_id(client, cursor):
    vendor = VendorFactory.create()
    response = client.get("/api/v1/vendor/products", {"cursor": cursor}, headers=auth(vendor))
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["cursor"]


def test_vendor_endpoints_query_budgets(client, tree, django_assert_num_queries):
    vendor = VendorFactory.create()
    product = make_product(vendor, title="Dress", category=tree["Maxi"],
                           variants=[(f"D-{n}", size, "red", 2) for n, size in enumerate("SML")])  # fmt: skip
    product.images.create(url="https://img.example/1.jpg")
    headers = auth(vendor)
    base = f"/api/v1/vendor/products/{product.pk}"
    # The user, then the product (with vendor and category), its variants with stock,
    # its images.
    with django_assert_num_queries(4):
        detail = client.get(base, headers=headers)
    assert len(detail.json()["variants"]) == 3
    # The user, then the variants with stock and price in one query.
    with django_assert_num_queries(2):
        variants = client.get(f"{base}/variants", headers=headers)
    assert [v["available"] for v in variants.json()] == [2, 2, 2]
    empty = make_product(vendor, title="Bare", category=None, publish=False)
    with django_assert_num_queries(3):  # no variants: is the product theirs?
        assert (
            client.get(f"/api/v1/vendor/products/{empty.pk}/variants", headers=headers).json()
            == []
        )


def test_removing_the_category_of_a_product_on_sale_is_400(client, tree):
    vendor = VendorFactory.create()
    product = make_product(vendor, title="Dress", category=tree["Maxi"],
                           variants=[("D-1", "M", "red", 1)])  # fmt: skip
    response = send(client, "patch", f"/api/v1/vendor/products/{product.pk}", vendor,
                    {"category": None})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "category": ["A product on sale needs a category."]
    }


def test_variant_and_image_endpoints(client, tree):
    vendor = VendorFactory.create()
    product = make_product(
        vendor, title="Dress", category=tree["Maxi"], variants=[("D-1", "M", "red", 1)]
    )
    base = f"/api/v1/vendor/products/{product.pk}"
    added = send(
        client,
        "post",
        f"{base}/variants",
        vendor,
        {"sku": "d-2", "size": "l", "colour": "Navy Blue", "stock": 4, "price": "27000.00"},
    )
    assert added.status_code == 201
    assert (added.json()["sku"], added.json()["colour_family"], added.json()["price"]) == (
        "D-2",
        "blue",
        "27000.00",
    )
    clash = send(
        client, "post", f"{base}/variants", vendor, {"sku": "D-3", "size": "M", "colour": "red"}
    )
    assert (clash.status_code, clash.json()["error"]["code"]) == (409, "variant_exists")
    off = send(client, "delete", f"{base}/variants/{added.json()['id']}", vendor)
    assert off.json()["is_active"] is False
    first = send(
        client, "post", f"{base}/images", vendor, {"url": "https://img.example/1.jpg"}
    ).json()
    second = send(
        client,
        "post",
        f"{base}/images",
        vendor,
        {"url": "https://img.example/2.jpg", "alt_text": "back"},
    ).json()
    order = send(
        client, "post", f"{base}/images/reorder", vendor, {"order": [second["id"], first["id"]]}
    )
    assert [i["id"] for i in order.json()] == [second["id"], first["id"]]
    assert send(client, "delete", f"{base}/images/{first['id']}", vendor).status_code == 204
    assert send(client, "post", f"{base}/images", vendor, {"url": "ftp://nope"}).status_code == 400


# ---------------------------------------------------------------------- public catalog
@pytest.fixture
def shop(tree):
    vendor = VendorFactory.create()
    products = [
        make_product(vendor, title=f"Ankara Dress {n}", category=tree["Maxi"], price=f"{10000 + n * 1000}",
                     variants=[(f"AD-{n}-M", "M", "red", n % 3), (f"AD-{n}-L", "L", "blue", 1)])
        for n in range(7)
    ]  # fmt: skip
    make_product(
        vendor,
        title="Hidden Draft",
        category=tree["Maxi"],
        publish=False,
        variants=[("HD-1", "M", "red", 1)],
    )
    return {"tree": tree, "vendor": vendor, "products": products}


def test_categories_tree(client, shop):
    tree = client.get("/api/v1/categories").json()["items"]
    women = next(node for node in tree if node["name"] == "Women")
    dresses = next(node for node in women["children"] if node["name"] == "Dresses")
    assert [c["name"] for c in dresses["children"]] == ["Maxi"]


def test_public_list_hides_drafts_and_filters(client, shop):
    listed = client.get("/api/v1/products?page_size=100").json()
    titles = [item["title"] for item in listed["items"]]
    assert "Hidden Draft" not in titles
    assert len(titles) == 7
    cheap = client.get("/api/v1/products?max_price=12000&ordering=price").json()["items"]
    assert [i["price"] for i in cheap] == ["10000.00", "11000.00", "12000.00"]
    category = client.get(f"/api/v1/products?category={shop['tree']['Women'].slug}").json()[
        "items"
    ]
    assert len(category) == 7
    in_stock_m = client.get("/api/v1/products?size=M&in_stock=true").json()["items"]
    assert all("M" in item["sizes_in_stock"] for item in in_stock_m)
    assert len(in_stock_m) == 4  # n % 3 != 0 for n in 0..6


def test_cursor_pages_cover_everything_once(client, shop):
    seen, url = [], "/api/v1/products?page_size=3&ordering=price"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = body["next"] and body["next"].replace("http://testserver", "")
    assert len(seen) == len(set(seen)) == 7


def test_public_list_query_budget_is_independent_of_page_size(
    client, shop, django_assert_num_queries
):
    client.get("/api/v1/products?search=ankara+dress")  # warm caches
    for size in (1, 7):
        with django_assert_num_queries(1):
            response = client.get(f"/api/v1/products?search=ankara+dress&page_size={size}")
        assert len(response.json()["items"]) == size


def test_list_search_bad_inputs(client, shop):
    assert client.get("/api/v1/products?min_price=abc").status_code == 400
    assert client.get("/api/v1/products?min_price=50&max_price=10").status_code == 400
    assert client.get("/api/v1/products?category=nope").json()["error"]["details"] == {
        "category": ["Unknown category."]
    }
    assert client.get("/api/v1/products?cursor=garbage").status_code == 400
    assert client.get("/api/v1/products?min_price=50&max_price=10").json()["error"]["details"] == {
        "min_price": ["Must not be above max_price."]
    }
    assert client.get("/api/v1/products?ordering=cheapest").status_code == 400
    huge = client.get("/api/v1/products?page_size=100000").json()
    assert len(huge["items"]) <= 100
    for q in ('"unclosed', "&&&", "x" * 5000, "<script>alert(1)</script>"):
        response = client.get("/api/v1/products", {"search": q})
        assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "1²", "١٢", "9" * 30])
@pytest.mark.parametrize("name", ["category", "vendor"])
def test_ids_that_are_not_plain_digits_are_400(client, shop, name, value):
    response = client.get("/api/v1/products", {name: value})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {name: [f"Unknown {name}."]}


def _cursor(*parts):
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999999"])
def test_a_cursor_with_a_non_finite_price_is_400(client, shop, value):
    response = client.get(
        "/api/v1/products", {"ordering": "price", "cursor": _cursor("price", value, 1)}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "cursor": ["Invalid cursor; start from the first page."]
    }


def test_public_detail_query_budget(client, shop, django_assert_num_queries):
    product = shop["products"][2]
    product.images.create(url="https://img.example/1.jpg")
    # The product (with vendor and category), its variants with stock, its images,
    # and the sizing context's fit counters of the product.
    with django_assert_num_queries(4):
        body = client.get(f"/api/v1/products/{product.pk}").json()
    assert (len(body["variants"]), len(body["images"])) == (2, 1)


def test_public_detail_shows_live_availability_and_hides_drafts(client, shop):
    product = shop["products"][1]
    body = client.get(f"/api/v1/products/{product.pk}").json()
    assert body["rating"] == {"average": None, "count": 0}
    assert body["reviews_count"] == 0
    assert {v["sku"]: v["available"] for v in body["variants"]} == {"AD-1-M": 1, "AD-1-L": 1}
    assert body["vendor"]["id"] == shop["vendor"].vendor_profile.pk
    draft = Product.objects.get(title="Hidden Draft")
    assert client.get(f"/api/v1/products/{draft.pk}").status_code == 404
    assert client.get("/api/v1/products/999999").status_code == 404


def test_cards_and_detail_are_what_the_serializers_give(client, shop):
    """The list and detail answers are represented by a plan per serializer, not by
    running the serializers: the same values, decimals and datetimes included."""
    from decimal import Decimal

    from shared_domain.catalog.params import SearchParams
    from shared_domain.catalog.selectors import product_detail_public, product_search_keyset
    from sync_service.api.catalog import serializers as s
    from sync_service.api.representation import represent, represent_many

    first = shop["products"][0]
    Product.objects.filter(pk=first.pk).update(rating_avg=Decimal("4.50"), rating_count=2)
    cards = product_search_keyset(SearchParams(), limit=50, cursor=None).items
    assert any(card.rating is not None for card in cards)
    assert represent_many(s.ProductCardOut, cards) == s.ProductCardOut(cards, many=True).data
    assert client.get("/api/v1/products").json()["items"] == json.loads(
        json.dumps(s.ProductCardOut(cards, many=True).data, default=str)
    )
    detail = product_detail_public(product_id=first.pk)
    assert represent(s.ProductDetailOut, detail) == s.ProductDetailOut(detail).data
    answer = client.get(f"/api/v1/products/{first.pk}").json()
    assert answer.pop("fit_signal") == {
        "verdict": None,
        "returns_too_small": 0,
        "returns_too_large": 0,
        "kept": 0,
    }
    assert answer == json.loads(json.dumps(s.ProductDetailOut(detail).data, default=str))
