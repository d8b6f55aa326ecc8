"""A short load through the ingress to gunicorn and uvicorn (tests/bench/soak.py's mix:
browsing, search, sign-in, vendor writes, with clients idling around the keep-alive
timeouts): every response arrives whole — its body as long as its Content-Length, its
JSON parseable —, no connection fails, and no upstream connection fails behind the
ingress (its 502) nor does an API crash (500). On a machine short of CPU, the
ingress may still answer some requests itself with 504 `gateway_timeout` or 503
`service_unavailable` (whole JSON bodies): those are load, not truncation, and
`make soak` counts them as errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from tests.bench.soak import Accounts, traffic
from tests.e2e.mailbox import verification_code

pytestmark = pytest.mark.e2e

PASSWORD = "Soak-Test-Pass-2026"


def _account(ingress, mail_dir, email, role):
    body = {"email": email, "password": PASSWORD, "full_name": "Soak Test", "role": role}
    if role == "vendor":
        body["store_name"] = "Soak Store E2E"
    assert ingress.post("/api/v1/auth/register", json=body).status_code == 201
    # The newest code wins: a verification email sent again (delivery is at least once)
    # replaces the code read first, so a refused code is read again.
    for _ in range(5):
        code = verification_code(mail_dir, email)
        verified = ingress.post("/api/v1/auth/verify-email", json={"email": email, "code": code})
        if verified.status_code == 200:
            return
        time.sleep(1)
    raise AssertionError(f"{email} not verified: {verified.status_code} {verified.text}")


@pytest.fixture
def limits_reset_after(e2e_env) -> Iterator[None]:
    """The soak spends the stack's per-IP budgets (catalogue reads, sign-ins) of the one
    client address every e2e test shares: afterwards its rate-limit windows are dropped,
    as if the next minute had come, so later tests are not refused with 429."""
    yield
    client = redis.Redis.from_url(e2e_env["REDIS_URL"])
    try:
        keys = list(client.scan_iter(match="rl:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.mark.usefixtures("limits_reset_after")
def test_mixed_traffic_through_the_ingress_has_no_truncated_response(stack, ingress, mail_dir):
    _account(ingress, mail_dir, "soak.vendor.e2e@example.com", "vendor")
    _account(ingress, mail_dir, "soak.shopper.e2e@example.com", "customer")
    tally = traffic(
        stack.ports.base_url,
        seconds=20,
        concurrency=6,
        accounts=Accounts(
            "soak.vendor.e2e@example.com", PASSWORD, "soak.shopper.e2e@example.com", PASSWORD
        ),
    )
    assert tally.requests > 50, tally
    assert tally.by_kind["vendor_write"] > 0, tally.by_kind
    assert (tally.truncated, tally.connection_errors) == (0, 0), tally.examples
    assert tally.by_status[500] == tally.by_status[502] == 0, tally.examples
