"""Outgoing calls to providers: timeouts, bounded retries on transient failures (5xx,
connection errors, timeouts) and an idempotency key on every POST, so a retried POST
never charges or refunds twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
from django.conf import settings

from shared_domain.payments.errors import ProviderRejected, ProviderUnavailable

logger = logging.getLogger("fashionistar.payments")

# Tests replace this to put an httpx.MockTransport under the adapters.
transport_override: httpx.BaseTransport | None = None


def _client(base_url: str, headers: Mapping[str, str]) -> httpx.Client:
    timeout = httpx.Timeout(
        settings.PAYMENT_HTTP_TIMEOUT, connect=min(3.0, settings.PAYMENT_HTTP_TIMEOUT)
    )
    return httpx.Client(
        base_url=base_url, headers=dict(headers), timeout=timeout, transport=transport_override
    )


def call(
    *,
    provider: str,
    base_url: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    json: Any = None,
    data: Mapping[str, str] | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """The provider's JSON answer; ProviderUnavailable after the last transient
    failure, ProviderRejected for a 4xx or a body that is not JSON."""
    extra = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    attempts = max(1, settings.PAYMENT_HTTP_ATTEMPTS)
    last: str = ""
    with _client(base_url, headers) as client:
        for attempt in range(1, attempts + 1):
            try:
                response = client.request(method, path, json=json, data=data, headers=extra)
            except httpx.TransportError as exc:  # connect errors and timeouts
                last = f"{type(exc).__name__}"
            else:
                if response.status_code < 500:
                    return _decode(provider, response)
                last = f"HTTP {response.status_code}"
            logger.warning(
                "payment provider call failed (%s), attempt %d of %d",
                last,
                attempt,
                attempts,
                extra={"provider": provider, "path": path},
            )
            if attempt < attempts:
                time.sleep(settings.PAYMENT_HTTP_BACKOFF * 2 ** (attempt - 1))
    raise ProviderUnavailable(details={"provider": provider, "last_error": last})


def _decode(provider: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400 or not isinstance(body, dict):
        message = ""
        if isinstance(body, dict):
            error = body.get("error")
            message = str(error.get("message", "")) if isinstance(error, dict) else ""
            message = message or str(body.get("message", ""))
        raise ProviderRejected(
            details={"provider": provider, "status": response.status_code, "message": message}
        )
    return body
