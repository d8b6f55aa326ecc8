"""The authorization matrix: every endpoint that addresses an object, found by walking
v1's URL configuration and v2's Ninja routers (a new endpoint without an entry below
fails here), called by each role on the objects of the fixture's owners, with a valid
body, so that only authorization can stop it.

Roles: `owner` (the customer, vendor or staff member the endpoint's objects belong
to), `other_customer`, `other_vendor`, `staff` and `anonymous`. Each answer must be
the one the rules expect, and a status the committed contract documents."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver

from tests.contract.conftest import CHART, V1_SPEC, V2_SPEC, World, load_spec

pytestmark = pytest.mark.django_db

ROLES = ("owner", "other_customer", "other_vendor", "staff", "anonymous")
# "ok": authorized, whatever the domain then says (2xx, 400, 409...): not 401, 403,
# 404 or 5xx.
OK = "ok"

# Who owns the objects behind a path, by prefix (first match wins).
OWNERS: list[tuple[str, str]] = [
    ("/api/v1/vendor/products/", "catalog"),
    ("/api/v1/vendor/variants/", "catalog"),
    ("/api/v1/vendor/", "vendor"),
    ("/api/v2/vendor/", "vendor"),
    ("/api/v1/staff/", "staff"),
    ("/api/v1/reports/files/", "vendor"),
    ("/api/v1/products/", "public"),
    ("/api/v2/products/", "public"),
    ("/api/v1/payments/webhooks/", "provider"),
    ("/api/v1/shipping/webhooks/", "provider"),
    ("/api/", "customer"),
]
# What each role gets, by owner kind.
RULES: dict[str, dict[str, Any]] = {
    # A customer's orders, cart, payments and tasks: others' ids are not disclosed (404),
    # other roles are refused (403), staff act through /staff and the admin.
    "customer": {
        "owner": OK,
        "other_customer": 404,
        "other_vendor": 403,
        "staff": 403,
        "anonymous": 401,
    },
    # A vendor's back office: another vendor's ids are not disclosed.
    "vendor": {
        "owner": OK,
        "other_customer": 403,
        "other_vendor": 404,
        "staff": 403,
        "anonymous": 401,
    },
    # The vendor's products in the back office: staff moderate every vendor's.
    "catalog": {
        "owner": OK,
        "other_customer": 403,
        "other_vendor": 404,
        "staff": OK,
        "anonymous": 401,
    },
    "staff": {
        "owner": OK,
        "other_customer": 403,
        "other_vendor": 403,
        "staff": OK,
        "anonymous": 401,
    },
    # The catalog is public.
    "public": dict.fromkeys(ROLES, OK),
    # Webhooks authenticate the provider by signature, not the caller's token: an
    # unsigned call is refused whoever sends it.
    "provider": dict.fromkeys(ROLES, 401),
}
# (method, path) -> {role: expected}: where an endpoint departs from its owner's rule.
EXCEPTIONS: dict[tuple[str, str], dict[str, Any]] = {
    # Staff may follow any task; a vendor starts tasks too, and others' are not found.
    ("GET", "/api/v1/tasks/{task_id}"): {"staff": OK, "other_vendor": 404},
    ("GET", "/api/v2/tasks/{task_id}"): {"staff": OK, "other_vendor": 404},
    # Live updates: v2 answers whoever is not the order's customer with 404.
    ("GET", "/api/v2/orders/{order_id}/events"): {"other_vendor": 404, "staff": 404},
    # A report file: the signed link is the credential; a bearer token sent with it
    # must be the owner's.
    ("GET", "/api/v1/reports/files/{token}"): {
        "other_customer": 404,
        "other_vendor": 404,
        "staff": 404,
        "anonymous": OK,
    },
    # A customer's photo measurements: not found for anyone else.
    ("GET", "/api/v2/measurements/{measurement_id}"): {"other_vendor": 404, "staff": 404},
    ("POST", "/api/v2/measurements/{measurement_id}/confirm"): {
        "other_vendor": 404,
        "staff": 404,
    },
}


def _route(pattern: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def v1_operations() -> list[tuple[str, str]]:
    """(method, path) of every v1 endpoint with a path parameter, from the URLconf."""
    from sync_service.urls import urlpatterns

    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                view_class = getattr(entry.callback, "cls", None)
                path = "/" + _route(prefix + str(entry.pattern))
                if view_class is None or "{" not in path:
                    continue
                methods = ("get", "post", "put", "patch", "delete")
                found.extend((m.upper(), path) for m in methods if hasattr(view_class, m))

    walk(urlpatterns, "")
    return found


def v2_operations() -> list[tuple[str, str]]:
    """(method, path) of every v2 operation with a path parameter, from its routers."""
    from async_service.api import api

    found: list[tuple[str, str]] = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = re.sub("/+", "/", f"/api/v2/{prefix}/{path}")
            if "{" not in full:
                continue
            for operation in path_view.operations:
                found.extend((method, full) for method in operation.methods)
    return found


OPERATIONS = sorted({*v1_operations(), *v2_operations()})
SPECS = {"v1": load_spec(V1_SPEC), "v2": load_spec(V2_SPEC)}


def owner_kind(path: str) -> str:
    return next(kind for prefix, kind in OWNERS if path.startswith(prefix))


def expected(method: str, path: str) -> dict[str, Any]:
    return {**RULES[owner_kind(path)], **EXCEPTIONS.get((method, path), {})}


def body_for(method: str, path: str, ids: dict[str, Any]) -> dict[str, Any] | None:
    """A body the owner's call would be accepted with."""
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("PATCH", "/api/v1/cart/items/{item_id}"): {"quantity": 2},
        ("POST", "/api/v1/orders/{order_id}/items/{item_id}/review"): {
            "rating": 5,
            "text": "Fits well.",
        },
        ("POST", "/api/v1/orders/{order_id}/payments"): {"provider": "paystack"},
        ("POST", "/api/v1/orders/{order_id}/returns"): {
            "item_id": ids["returnable_item_id"],
            "reason": "too_small",
        },
        ("POST", "/api/v2/orders/{order_id}/returns"): {
            "item_id": ids["returnable_item_id"],
            "reason": "too_small",
        },
        ("POST", "/api/v1/staff/orders/{order_id}/refunds"): {
            "vendor_order_id": ids["vendor_order_id"],
            "reason": "Damaged",
        },
        ("POST", "/api/v1/vendor/orders/{vendor_order_id}/refunds"): {"reason": "Damaged"},
        ("POST", "/api/v1/vendor/orders/{vendor_order_id}/ship"): {
            "carrier": "local",
            "tracking_number": "LC-1",
        },
        ("PATCH", "/api/v1/vendor/products/{product_id}"): {"title": "Renamed dress"},
        ("POST", "/api/v1/vendor/products/{product_id}/images"): {
            "url": "https://img.example/dress-3.jpg"
        },
        ("POST", "/api/v1/vendor/products/{product_id}/images/reorder"): {
            "order": list(reversed(ids["image_ids"]))
        },
        ("POST", "/api/v1/vendor/products/{product_id}/variants"): {
            "sku": "DR-RED-XL",
            "size": "XL",
            "colour": "red",
        },
        ("PATCH", "/api/v1/vendor/products/{product_id}/variants/{variant_id}"): {
            "colour": "blue"
        },
        ("PUT", "/api/v1/vendor/size-charts/{chart_id}"): CHART,
        ("PUT", "/api/v1/vendor/variants/{variant_id}/stock"): {"quantity": 7},
    }
    if (method, path) in bodies:
        return bodies[(method, path)]
    return {} if method in ("POST", "PUT", "PATCH") else None


def test_every_object_endpoint_has_rules() -> None:
    assert len(OPERATIONS) > 30
    for method, path in OPERATIONS:
        assert set(expected(method, path)) == set(ROLES), (method, path)
    stale = set(EXCEPTIONS) - set(OPERATIONS)
    assert not stale, f"exceptions for endpoints that do not exist: {stale}"


def _documented(method: str, path: str) -> set[int]:
    spec = SPECS["v2" if path.startswith("/api/v2/") else "v1"]
    responses = spec["paths"][path][method.lower()]["responses"]
    return {int(code) for code in responses}


def _matches(status: int, rule: Any) -> bool:
    if rule == OK:
        return status < 500 and status not in (401, 403, 404)
    return status == rule


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_authorization(method, path, world: World, client) -> None:
    import json

    ids = world.path_ids(method, path)
    url = path.format(**{name: ids[name] for name in re.findall(r"{(\w+)}", path)})
    body = body_for(method, path, ids)
    owner = {"vendor": "vendor", "catalog": "vendor", "staff": "staff"}.get(
        owner_kind(path), "customer"
    )
    rules = expected(method, path)
    seen: dict[str, int] = {}
    for role in ROLES:
        user_role = owner if role == "owner" else role
        headers = {} if role == "anonymous" else world.headers(user_role)
        # Each role meets the objects as they were: v1's changes roll back (v2's
        # endpoints here only read).
        with transaction.atomic():
            response = client.generic(
                method,
                url,
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
                headers=headers,
            )
            transaction.set_rollback(True)
        seen[role] = response.status_code
    wrong = {role: (status, rules[role]) for role, status in seen.items()
             if not _matches(status, rules[role])}  # fmt: skip
    assert not wrong, f"{method} {path}: role -> (got, expected): {wrong}"
    undocumented = set(seen.values()) - _documented(method, path)
    assert not undocumented, f"{method} {path}: undocumented statuses {undocumented}"
