"""One wording per error code: the failures both APIs share answer with the same code
and the same message on v1 and v2."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from tests.factories import CustomerFactory
from tests.http import error, login

pytestmark = pytest.mark.django_db(transaction=True)

JSON = "application/json"

# (method, v1 path, v2 path, body, content type, headers)
CASES = {
    "unknown route": ("get", "/api/v1/nope", "/api/v2/nope", None, None, {}),
    "wrong method": ("delete", "/api/v1/auth/login", "/api/v2/auth/login", None, None, {}),
    "malformed json": ("post", "/api/v1/auth/login", "/api/v2/auth/login", "{", JSON, {}),
    "not json": ("post", "/api/v1/auth/login", "/api/v2/auth/login", "a=b",
                 "application/x-www-form-urlencoded", {}),
    "missing field": ("post", "/api/v1/auth/login", "/api/v2/auth/login",
                      '{"email": "a@example.com"}', JSON, {}),
    "wrong password": ("post", "/api/v1/auth/login", "/api/v2/auth/login",
                       '{"email": "a@example.com", "password": "nope"}', JSON, {}),
    "no token": ("get", "/api/v1/me", "/api/v2/me", None, None, {}),
    "bad token": ("get", "/api/v1/me", "/api/v2/me", None, None,
                  {"Authorization": "Bearer not-a-token"}),
    "bad refresh": ("post", "/api/v1/auth/refresh", "/api/v2/auth/refresh",
                    '{"refresh": "nope"}', JSON, {}),
    "missing order": ("get", "/api/v1/orders/999999", "/api/v2/orders/999999", None, None,
                      "customer"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
async def test_both_apis_word_a_shared_failure_alike(client, async_client, case):
    method, v1_path, v2_path, body, content_type, headers = CASES[case]
    if headers == "customer":
        user = await sync_to_async(CustomerFactory.create)()
        access = (await sync_to_async(login)(client, user))["access"]
        headers = {"Authorization": f"Bearer {access}"}
    kwargs: dict[str, object] = {"headers": headers}
    if body is not None:
        kwargs |= {"data": body, "content_type": content_type}
    v1 = await sync_to_async(getattr(client, method))(v1_path, **kwargs)
    v2 = await getattr(async_client, method)(v2_path, **kwargs)
    assert v1.status_code == v2.status_code
    one, two = error(v1), error(v2)
    assert (one["code"], one["message"]) == (two["code"], two["message"])
