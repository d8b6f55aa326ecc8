"""Names refuse control characters, phone numbers are E.164, and GET and PATCH /me
speak of the phone in one shape (on v1 and v2)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from tests.factories import PASSWORD, CustomerFactory, VendorFactory
from tests.http import bearer, error, login

pytestmark = pytest.mark.django_db

CONTROLS = ["\x00", "\t", "\n", "\x1b", "\x7f", "\x9b", "\u202e", "\u2066"]


def _patch(client, path, access, body):
    return client.patch(
        path, data=json.dumps(body), content_type="application/json", headers=bearer(access)
    )


@pytest.mark.parametrize("char", CONTROLS)
def test_registration_names_with_control_characters_are_400_naming_the_field(client, char):
    for field in ("full_name", "store_name"):
        body = {"email": "ada@example.com", "password": PASSWORD, "full_name": "Ada Obi",
                "role": "vendor", "store_name": "Ada Styles", field: f"Ada{char}Obi"}  # fmt: skip
        response = client.post(
            "/api/v1/auth/register", data=json.dumps(body), content_type="application/json"
        )
        assert (response.status_code, error(response)["code"]) == (400, "validation_error")
        assert field in error(response)["details"], (field, response.json())


@pytest.mark.parametrize("char", CONTROLS)
def test_renaming_with_control_characters_is_400_naming_the_field(client, char):
    customer = login(client, CustomerFactory.create())["access"]
    vendor = login(client, VendorFactory.create())["access"]
    for path, access, field in (
        ("/api/v1/me", customer, "full_name"),
        ("/api/v1/vendor/profile", vendor, "store_name"),
    ):
        response = _patch(client, path, access, {field: f"Ada{char}Obi"})
        assert (response.status_code, error(response)["code"]) == (400, "validation_error")
        assert list(error(response)["details"]) == [field]


@pytest.mark.parametrize("phone", ["08031234567", "+0803123456", "+234", "+2348031234567890",
                                   "phone me", "+234 803 123 4567 x2"])  # fmt: skip
def test_a_phone_not_in_e164_is_400_naming_the_field(client, phone):
    access = login(client, CustomerFactory.create())["access"]
    response = _patch(client, "/api/v1/me", access, {"phone": phone})
    assert (response.status_code, error(response)["code"]) == (400, "validation_error")
    assert list(error(response)["details"]) == ["phone"]


@pytest.mark.django_db(transaction=True)  # v2 reads on connections of its own
async def test_get_and_patch_me_show_the_phone_in_the_shape_patch_takes(client, async_client):
    user = await sync_to_async(CustomerFactory.create)()
    access = (await sync_to_async(login)(client, user))["access"]
    patched = await sync_to_async(_patch)(
        client, "/api/v1/me", access, {"phone": "+234 (803) 123-4567"}
    )
    assert patched.status_code == 200
    v1 = (await sync_to_async(client.get)("/api/v1/me", headers=bearer(access))).json()
    v2 = (await async_client.get("/api/v2/me", headers=bearer(access))).json()
    assert patched.json()["phone"] == v1["phone"] == v2["phone"] == "+2348031234567"
    # What GET shows, PATCH takes back unchanged.
    again = await sync_to_async(_patch)(client, "/api/v1/me", access, {"phone": v1["phone"]})
    assert again.json()["phone"] == v1["phone"]
    cleared = await sync_to_async(_patch)(client, "/api/v1/me", access, {"phone": ""})
    assert cleared.json()["phone"] == ""


@pytest.mark.django_db(transaction=True)
async def test_vendors_have_no_phone_on_either_api(client, async_client):
    user = await sync_to_async(VendorFactory.create)()
    access = (await sync_to_async(login)(client, user))["access"]
    v1 = (await sync_to_async(client.get)("/api/v1/me", headers=bearer(access))).json()
    v2 = (await async_client.get("/api/v2/me", headers=bearer(access))).json()
    assert v1["phone"] is v2["phone"] is None
