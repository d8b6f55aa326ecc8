import pytest

from shared_domain.common.context import clean_request_id, new_request_id


@pytest.mark.parametrize("value", ["abc123", "req-2026.11.22:7", "A" * 128, "0f1e2d3c"])
def test_well_formed_request_ids_are_kept(value):
    assert clean_request_id(value) == value


@pytest.mark.parametrize(
    "value",
    [None, "", "A" * 129, "has space", "line\nbreak", '"quoted"', "-leading-dash", "é"],
)
def test_malformed_request_ids_are_replaced(value):
    cleaned = clean_request_id(value)
    assert cleaned != value
    assert len(cleaned) == 32


def test_new_request_ids_are_unique():
    assert len({new_request_id() for _ in range(100)}) == 100
