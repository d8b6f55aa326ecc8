"""What the committed contract promises front ends, checked on the documents
themselves (no server): shared error answers on every operation, typed nullable
objects, the recursive category tree, strict request bodies, the one error body."""

from __future__ import annotations

from typing import Any

import pytest

from shared_domain.web.openapi import METHODS, complete_operations, standard_statuses
from tests.contract.conftest import V1_SPEC, V2_SPEC, load_spec

SPECS = {"v1": load_spec(V1_SPEC), "v2": load_spec(V2_SPEC)}
ERROR_REFS = {"v1": "#/components/schemas/Error", "v2": "#/components/schemas/ErrorOut"}


def operations(name: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in SPECS[name]["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.mark.parametrize("name", ["v1", "v2"])
def test_every_operation_documents_the_shared_error_answers(name) -> None:
    for path, method, operation in operations(name):
        responses = operation["responses"]
        for status in standard_statuses(path, operation):
            assert str(status) in responses, (name, method, path, status)
        for code in ("429", "503"):
            assert "Retry-After" in responses[code]["headers"], (method, path)
        for status, response in responses.items():
            if int(status) >= 400 and "content" in response:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REFS[name]}, (method, path, status)


def test_error_bodies_are_the_spec_shape() -> None:
    v1 = SPECS["v1"]["components"]["schemas"]
    assert v1["Error"]["required"] == ["error"]
    assert set(v1["ErrorDetail"]["required"]) == {"code", "message", "details"}
    v2 = SPECS["v2"]["components"]["schemas"]
    assert set(v2["ErrorDetailOut"]["required"]) == {"code", "message", "details"}


def test_me_profiles_are_typed_and_nullable() -> None:
    me = SPECS["v1"]["components"]["schemas"]["MeOut"]["properties"]
    for name, ref in [
        ("customer_profile", "CustomerProfileOut"),
        ("vendor_profile", "VendorProfileOut"),
    ]:
        assert me[name]["type"] == "object"
        assert me[name]["nullable"] is True
        assert me[name]["allOf"] == [{"$ref": f"#/components/schemas/{ref}"}]
    v2 = SPECS["v2"]["components"]["schemas"]["MeOut"]["properties"]
    assert {"type": "null"} in v2["vendor_profile"]["anyOf"]


def test_no_untyped_nullable_reference_is_left() -> None:
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("nullable") and "allOf" in node and "type" not in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(SPECS["v1"])
    assert not found


def test_category_children_are_nodes() -> None:
    node = SPECS["v1"]["components"]["schemas"]["CategoryNodeOut"]
    assert node["properties"]["children"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/CategoryNodeOut"},
        "description": "Nodes of the same shape.",
    }


def test_strict_request_bodies_refuse_unknown_fields() -> None:
    for name in ("v1", "v2"):
        schemas = SPECS[name]["components"]["schemas"]
        for path, method, operation in operations(name):
            body = operation.get("requestBody", {}).get("content", {})
            ref = body.get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                schema = schemas[ref.rsplit("/", 1)[1]]
                assert schema.get("additionalProperties") is False, (name, method, path)


def test_completing_twice_changes_nothing() -> None:
    import copy

    document = copy.deepcopy(SPECS["v1"])
    assert complete_operations(document, error_ref=ERROR_REFS["v1"]) == SPECS["v1"]
