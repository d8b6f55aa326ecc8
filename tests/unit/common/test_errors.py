from shared_domain.common.errors import (
    Conflict,
    DomainError,
    NotFound,
    Throttled,
    error_body,
    error_for_status,
)


def test_error_body_has_code_message_and_details():
    assert error_body("out_of_stock", "Only 2 left", {"variant_id": 3}) == {
        "error": {"code": "out_of_stock", "message": "Only 2 left", "details": {"variant_id": 3}}
    }


def test_error_body_details_default_to_an_empty_object():
    assert error_body("x", "y")["error"]["details"] == {}


def test_domain_error_uses_class_defaults_and_copies_details():
    details = {"a": 1}
    exc = NotFound(details=details)
    details["a"] = 2
    assert (exc.code, exc.http_status, exc.message) == ("not_found", 404, NotFound.default_message)
    assert exc.details == {"a": 1}


def test_subclass_can_define_its_own_code():
    class OutOfStock(Conflict):
        code = "out_of_stock"

    exc = OutOfStock("Only 2 left")
    assert isinstance(exc, DomainError)
    assert (exc.code, exc.http_status, str(exc)) == ("out_of_stock", 409, "Only 2 left")


def test_throttled_retry_after_is_at_least_one_second():
    assert Throttled(retry_after=0).retry_after == 1
    assert Throttled(retry_after=30).retry_after == 30


def test_unknown_statuses_fall_back_by_class():
    assert error_for_status(418)[0] == "bad_request"
    assert error_for_status(599)[0] == "internal_error"
    assert error_for_status(405)[0] == "method_not_allowed"
