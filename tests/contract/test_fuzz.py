"""Schemathesis against the committed contract (docs/api/), through the real apps: v1
as WSGI, v2 as ASGI, in this process. Requests are generated from each operation's
schema (valid and invalid ones), carry a token of the role the path is for, and name
real objects in their path parameters, so they get past authentication and 404. Every
response must be no server error, and have a status code and a body the document
declares for the operation.

Bounded and repeatable: a few examples per operation, derandomized."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.contract.conftest import V1_SPEC, V2_SPEC, World

# CONTRACT_FUZZ_STRICT=1: also check that what the schema allows is accepted and what
# it forbids is refused (the documented limits are the real ones).
EXTRA_CHECKS = (
    [positive_data_acceptance, negative_data_rejection]
    if os.environ.get("CONTRACT_FUZZ_STRICT") == "1"
    else []
)
CHECKS = [
    *EXTRA_CHECKS,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# CONTRACT_FUZZ_EXAMPLES=200 CONTRACT_FUZZ_COVERAGE=1 for a deeper run by hand.
EXAMPLES = int(os.environ.get("CONTRACT_FUZZ_EXAMPLES", "6"))
COVERAGE = os.environ.get("CONTRACT_FUZZ_COVERAGE", "") == "1"
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": 20261126,
        "generation": {"mode": "all", "deterministic": True, "max-examples": EXAMPLES},
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
    }
)
v1 = schemathesis.openapi.from_path(V1_SPEC, config=CONFIG)
v2 = schemathesis.openapi.from_path(V2_SPEC, config=CONFIG)
# The test database exists for tests that ask for it; v1's writes roll back after each
# operation's test (v2 writes on connections of its own, and commits).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings(
        "ignore:Do not use the `random` module:hypothesis.errors.HypothesisDeprecationWarning"
    ),
]

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# The world of the running package, for the hooks (they run outside fixtures).
_current: dict[str, World] = {}


def role_for(path: str) -> str:
    if "/vendor/" in path:
        return "vendor"
    if "/staff/" in path:
        return "staff"
    return "customer"


def _real_ids(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    """Generated integer ids become the real object's (other values, as the invalid
    requests have, stay as generated)."""
    if not path_parameters:
        return path_parameters
    operation = context.operation
    ids = _current["world"].path_ids(operation.method, operation.path)
    return {
        name: ids[name]
        if name in ids and isinstance(value, int | str) and _plain(value)
        else value
        for name, value in path_parameters.items()
    }


def _plain(value: int | str) -> bool:
    return isinstance(value, int) or (value.isascii() and value.isalnum())


v1.hook("map_path_parameters")(_real_ids)
v2.hook("map_path_parameters")(_real_ids)


@pytest.fixture(scope="module")
def wsgi_app(world: World) -> Iterator[Any]:
    """v1 in this thread, on the test's connection: as with Django's test client, the
    end of a request must not close it (that would end the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    _current["world"] = world
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def asgi_app(world: World) -> Any:
    from django.core.asgi import get_asgi_application

    _current["world"] = world
    return get_asgi_application()


@pytest.mark.timeout(120)
@v1.parametrize()
@FUZZ
def test_v1_conforms(case: Any, wsgi_app: Any, world: World) -> None:
    case.call_and_validate(app=wsgi_app, headers=world.headers(role_for(case.path)), checks=CHECKS)


@pytest.mark.timeout(120)
@v2.parametrize()
@FUZZ
def test_v2_conforms(case: Any, asgi_app: Any, world: World) -> None:
    case.call_and_validate(app=asgi_app, headers=world.headers(role_for(case.path)), checks=CHECKS)


if os.environ.get("CONTRACT_FUZZ_STATS"):
    import collections
    import json as _json

    _stats: collections.Counter[str] = collections.Counter()

    def _tally(context: Any, case: Any, response: Any) -> None:
        _stats[f"{case.method} {case.path} {response.status_code}"] += 1
        with open(os.environ["CONTRACT_FUZZ_STATS"], "w") as out:
            _json.dump(dict(_stats), out, indent=0, sort_keys=True)

    v1.hook("after_call")(_tally)
    v2.hook("after_call")(_tally)
