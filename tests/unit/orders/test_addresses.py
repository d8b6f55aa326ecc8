"""Shipping addresses: phone numbers in E.164, no control characters in any field
(tabs, line breaks and other whitespace controls are folded into spaces first)."""

from __future__ import annotations

import pytest

from shared_domain.common.errors import ValidationFailed
from shared_domain.orders.addresses import address_clean

ADDRESS = {
    "name": "Ada Obi",
    "line1": "12 Marina Road",
    "city": "Lagos",
    "state": "Lagos",
    "country": "ng",
    "phone": "+234 (803) 123-4567",
}


def test_a_phone_typed_with_separators_is_stored_in_e164():
    assert address_clean(ADDRESS)["phone"] == "+2348031234567"


@pytest.mark.parametrize("phone", ["0803 123 4567", "+0 803 123 4567", "+234", "call me",
                                   "+2348031234567890", "+234 803 123 4567 ext 2"])  # fmt: skip
def test_a_phone_not_in_e164_names_the_field(phone):
    with pytest.raises(ValidationFailed) as bad:
        address_clean({**ADDRESS, "phone": phone})
    assert list(bad.value.details) == ["shipping_address.phone"]


@pytest.mark.parametrize("field", ["name", "line1", "city"])
@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x7f", "\u202e", "\x9b"])
def test_control_characters_in_an_address_name_the_field(field, char):
    with pytest.raises(ValidationFailed) as bad:
        address_clean({**ADDRESS, field: f"Ada{char}Obi"})
    assert list(bad.value.details) == [f"shipping_address.{field}"]
