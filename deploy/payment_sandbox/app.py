"""The sandbox as a WSGI application (stdlib only), so it runs as a small server
(`python -m deploy.payment_sandbox`) and, in tests, under `httpx.WSGITransport`."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
Delivery = Callable[[str, dict[str, str], bytes], None]


@dataclasses.dataclass
class SandboxConfig:
    paystack_secret_key: str
    stripe_secret_key: str
    stripe_webhook_secret: str
    # Where webhooks go: "{callback_base}/api/v1/payments/webhooks/{provider}".
    callback_base: str
    # The address browsers use to reach the hosted pages.
    public_url: str
    delivery_attempts: int = 6
    delivery_backoff: float = 1.0
    # What Paystack reports of a refund it queued: "processed" or "failed".
    paystack_refund_outcome: str = "processed"


@dataclasses.dataclass
class Charge:
    provider: str
    id: str
    reference: str
    amount: int
    currency: str
    email: str
    metadata: dict[str, str]
    token: str
    client_secret: str = ""
    callback_url: str = ""
    status: str = "pending"  # pending | success | failed
    refunded: int = 0
    paid_at: str = ""
    created: int = dataclasses.field(default_factory=lambda: int(time.time()))


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


class Sandbox:
    def __init__(self, config: SandboxConfig, deliver: Delivery | None = None) -> None:
        self.config = config
        self.charges: dict[str, Charge] = {}  # by reference
        self.by_token: dict[str, Charge] = {}
        self.by_intent: dict[str, Charge] = {}
        self.replays: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self.refunds_made = 0
        self.lock = threading.Lock()
        self.deliver = deliver or self._deliver_with_retries
        # Every webhook the sandbox sent: (url, headers, body).
        self.sent: list[tuple[str, dict[str, str], bytes]] = []

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        status, content_type, payload, extra = self.route(method, path, headers, body)
        start_response(status, [("Content-Type", content_type), *extra])
        return [payload]

    def route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts in ([], ["healthz"]):
            return (
                self._html("200 OK", self._index_page()) if not parts else _json(200, {"ok": True})
            )
        if parts[:1] == ["checkout"] and len(parts) == 2 and method == "GET":
            return self._checkout_page(parts[1])
        if parts[:1] == ["checkout"] and len(parts) == 3 and method == "POST":
            return self._checkout_decide(parts[1], parts[2])
        if parts[:1] == ["v1"]:
            return self._stripe(method, parts[1:], headers, body)
        return self._paystack(method, parts, headers, body)

    # ------------------------------------------------------------------ Paystack
    def _paystack(
        self, method: str, parts: list[str], headers: dict[str, str], body: bytes
    ) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        if headers.get("authorization") != f"Bearer {self.config.paystack_secret_key}":
            return _json(401, {"status": False, "message": "Invalid key"})
        if method == "POST" and parts == ["transaction", "initialize"]:
            return self._replayable("paystack", headers, lambda: self._paystack_init(body))
        if method == "GET" and parts[:2] == ["transaction", "verify"] and len(parts) == 3:
            charge = self.charges.get(parts[2])
            if charge is None or charge.provider != "paystack":
                return _json(404, {"status": False, "message": "Transaction reference not found"})
            return _json(200, {"status": True, "message": "Verification successful",
                               "data": self._paystack_data(charge)})  # fmt: skip
        if method == "POST" and parts == ["refund"]:
            return self._replayable("paystack", headers, lambda: self._paystack_refund(body))
        return _json(404, {"status": False, "message": "Not found"})

    def _paystack_init(self, body: bytes) -> tuple[int, dict[str, Any]]:
        data = _loads(body)
        amount = str(data.get("amount", ""))
        reference = str(data.get("reference") or f"T{secrets.token_hex(6)}")
        if not amount.isdigit() or int(amount) <= 0 or not data.get("email"):
            return 400, {"status": False, "message": "Invalid amount or email"}
        with self.lock:
            if reference in self.charges:
                return 400, {"status": False, "message": "Duplicate Transaction Reference"}
            charge = Charge(
                provider="paystack",
                id=str(3_000_000 + len(self.charges)),
                reference=reference,
                amount=int(amount),
                currency=str(data.get("currency") or "NGN"),
                email=str(data["email"]),
                metadata=data.get("metadata") or {},
                token=secrets.token_urlsafe(9),
                callback_url=str(data.get("callback_url") or ""),
            )
            self._add(charge)
        return 200, {
            "status": True,
            "message": "Authorization URL created",
            "data": {
                "authorization_url": f"{self.config.public_url}/checkout/{charge.token}",
                "access_code": charge.token,
                "reference": reference,
            },
        }

    def _paystack_refund(self, body: bytes) -> tuple[int, dict[str, Any]]:
        data = _loads(body)
        charge = self.charges.get(str(data.get("transaction", "")))
        if charge is None:
            return 404, {"status": False, "message": "Transaction not found"}
        amount = int(str(data.get("amount") or charge.amount - charge.refunded))
        if charge.status != "success" or amount <= 0 or amount > charge.amount - charge.refunded:
            return 400, {"status": False, "message": "Refund amount is more than transaction"}
        charge.refunded += amount
        with self.lock:
            self.refunds_made += 1
            refund_id = 1_000_000 + self.refunds_made
        outcome = self.config.paystack_refund_outcome
        if outcome == "failed":
            charge.refunded -= amount
        # Paystack queues a refund and reports its end by webhook.
        self._send(
            "paystack",
            {
                "event": f"refund.{outcome}",
                "data": {
                    "id": refund_id,
                    "status": outcome,
                    "transaction_reference": charge.reference,
                    "refund_reference": None,
                    "amount": str(amount),
                    "currency": charge.currency,
                    "domain": "test",
                },
            },
        )
        return 200, {
            "status": True,
            "message": "Refund has been queued for processing",
            "data": {
                "id": refund_id,
                "transaction": self._paystack_data(charge),
                "amount": amount,
                "currency": charge.currency,
                "status": "pending",
            },
        }

    def _paystack_data(self, charge: Charge) -> dict[str, Any]:
        status = {"pending": "ongoing"}.get(charge.status, charge.status)
        return {
            "id": int(charge.id),
            "domain": "test",
            "status": status,
            "reference": charge.reference,
            "amount": charge.amount,
            "currency": charge.currency,
            "paid_at": charge.paid_at or None,
            "channel": "card",
            "metadata": charge.metadata,
            "customer": {"email": charge.email},
        }

    # ------------------------------------------------------------------ Stripe
    def _stripe(
        self, method: str, parts: list[str], headers: dict[str, str], body: bytes
    ) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        if headers.get("authorization") != f"Bearer {self.config.stripe_secret_key}":
            return _json(401, {"error": {"type": "invalid_request_error",
                                         "message": "Invalid API Key provided"}})  # fmt: skip
        if method == "POST" and parts == ["payment_intents"]:
            return self._replayable("stripe", headers, lambda: self._stripe_create(body))
        if method == "GET" and parts[:1] == ["payment_intents"] and len(parts) == 2:
            charge = self.by_intent.get(parts[1])
            if charge is None:
                message = f"No such payment_intent: '{parts[1]}'"
                error = {"type": "invalid_request_error", "code": "resource_missing"}
                return _json(404, {"error": {**error, "message": message}})
            return _json(200, self._intent(charge))
        if method == "POST" and parts == ["refunds"]:
            return self._replayable("stripe", headers, lambda: self._stripe_refund(body))
        return _json(
            404,
            {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}},
        )

    def _stripe_create(self, body: bytes) -> tuple[int, dict[str, Any]]:
        form = dict(parse_qsl(body.decode()))
        amount = form.get("amount", "")
        if not amount.isdigit() or int(amount) <= 0 or not form.get("currency"):
            return 400, {"error": {"type": "invalid_request_error", "param": "amount",
                                   "message": "Invalid integer"}}  # fmt: skip
        metadata = {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}
        intent_id = f"pi_{secrets.token_hex(12)}"
        with self.lock:
            charge = Charge(
                provider="stripe",
                id=intent_id,
                reference=metadata.get("reference", intent_id),
                amount=int(amount),
                currency=form["currency"].upper(),
                email=form.get("receipt_email", ""),
                metadata=metadata,
                token=secrets.token_urlsafe(9),
                client_secret=f"{intent_id}_secret_{secrets.token_hex(8)}",
            )
            self._add(charge)
        return 200, self._intent(charge)

    def _stripe_refund(self, body: bytes) -> tuple[int, dict[str, Any]]:
        form = dict(parse_qsl(body.decode()))
        charge = self.by_intent.get(form.get("payment_intent", ""))
        if charge is None:
            return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
        amount = int(form.get("amount") or charge.amount - charge.refunded)
        if charge.status != "success" or amount <= 0 or amount > charge.amount - charge.refunded:
            return 400, {"error": {"type": "invalid_request_error",
                                   "code": "charge_already_refunded"}}  # fmt: skip
        charge.refunded += amount
        return 200, {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": amount,
            "currency": charge.currency.lower(),
            "payment_intent": charge.id,
            "status": "succeeded",
        }

    def _intent(self, charge: Charge) -> dict[str, Any]:
        status = {"pending": "requires_payment_method", "success": "succeeded",
                  "failed": "requires_payment_method"}[charge.status]  # fmt: skip
        return {
            "id": charge.id,
            "object": "payment_intent",
            "amount": charge.amount,
            "amount_received": charge.amount if charge.status == "success" else 0,
            "currency": charge.currency.lower(),
            "status": status,
            "client_secret": charge.client_secret,
            "created": charge.created,
            "livemode": False,
            "metadata": charge.metadata,
            "last_payment_error": (
                {"code": "card_declined", "message": "Your card was declined."}
                if charge.status == "failed"
                else None
            ),
        }

    # ------------------------------------------------------------------ shared
    def _add(self, charge: Charge) -> None:
        self.charges[charge.reference] = charge
        self.by_token[charge.token] = charge
        if charge.provider == "stripe":
            self.by_intent[charge.id] = charge

    def _replayable(
        self,
        provider: str,
        headers: dict[str, str],
        make: Callable[[], tuple[int, dict[str, Any]]],
    ) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        """A POST retried with the same Idempotency-Key gets the first answer."""
        key = headers.get("idempotency-key", "")
        if key and (provider, key) in self.replays:
            return _json(*self.replays[(provider, key)])
        status, body = make()
        if key and status < 500:
            self.replays[(provider, key)] = (status, body)
        return _json(status, body)

    # ------------------------------------------------------------------ hosted page
    def _index_page(self) -> str:
        rows = "".join(
            f'<li><a href="/checkout/{c.token}">{html.escape(c.reference)}</a> '
            f"{c.provider} {c.amount} {html.escape(c.currency)} ({c.status})</li>"
            for c in self.charges.values()
        )
        return f"<h1>Payment sandbox</h1><p>Charges:</p><ul>{rows or '<li>none yet</li>'}</ul>"

    def _checkout_page(self, token: str) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        charge = self.by_token.get(token)
        if charge is None:
            return self._html("404 Not Found", "<h1>No such payment</h1>")
        major = f"{charge.amount / 100:,.2f}"
        if charge.status != "pending":
            return self._html("200 OK", f"<h1>Payment {html.escape(charge.status)}</h1>")
        return self._html(
            "200 OK",
            f"<h1>{charge.provider.title()} sandbox</h1>"
            f"<p>Pay <strong>{major} {html.escape(charge.currency)}</strong> "
            f"(reference {html.escape(charge.reference)}) as {html.escape(charge.email)}?</p>"
            f'<form method="post" action="/checkout/{token}/pay"><button>Pay</button></form>'
            f'<form method="post" action="/checkout/{token}/decline">'
            f"<button>Decline</button></form>",
        )

    def _checkout_decide(
        self, token: str, action: str
    ) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        charge = self.by_token.get(token)
        if charge is None or action not in {"pay", "decline"}:
            return self._html("404 Not Found", "<h1>No such payment</h1>")
        with self.lock:
            if charge.status != "pending":
                return self._html("409 Conflict", f"<h1>Already {charge.status}</h1>")
            charge.status = "success" if action == "pay" else "failed"
            charge.paid_at = _now_iso() if action == "pay" else ""
        self.notify(charge)
        if charge.callback_url:
            target = f"{charge.callback_url}?reference={charge.reference}"
            return "303 See Other", "text/html", b"", [("Location", target)]
        return self._html(
            "200 OK", f"<h1>Payment {charge.status}</h1><p>You may close this page.</p>"
        )

    @staticmethod
    def _html(status: str, body: str) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        page = (
            "<!doctype html><html><head><title>Payment sandbox</title></head>"
            f"<body>{body}</body></html>"
        )
        return status, "text/html; charset=utf-8", page.encode(), []

    # ------------------------------------------------------------------ webhooks
    def webhook(self, charge: Charge) -> tuple[str, dict[str, str], bytes]:
        """The signed webhook a provider sends for the charge's outcome."""
        if charge.provider == "paystack":
            event = "charge.success" if charge.status == "success" else "charge.failed"
            return self.signed("paystack", {"event": event, "data": self._paystack_data(charge)})
        kind = "succeeded" if charge.status == "success" else "payment_failed"
        return self.signed(
            "stripe",
            {
                "id": f"evt_{secrets.token_hex(12)}",
                "object": "event",
                "api_version": "2024-06-20",
                "created": int(time.time()),
                "livemode": False,
                "type": f"payment_intent.{kind}",
                "data": {"object": self._intent(charge)},
            },
        )

    def signed(self, provider: str, event: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
        """An event as the provider posts it: URL, signed headers, body."""
        url = f"{self.config.callback_base}/api/v1/payments/webhooks/{provider}"
        body = json.dumps(event).encode()
        if provider == "paystack":
            signature = hmac.new(
                self.config.paystack_secret_key.encode(), body, hashlib.sha512
            ).hexdigest()
            return (
                url,
                {"Content-Type": "application/json", "x-paystack-signature": signature},
                body,
            )
        at = int(time.time())
        digest = hmac.new(
            self.config.stripe_webhook_secret.encode(), f"{at}.".encode() + body, hashlib.sha256
        ).hexdigest()
        return (
            url,
            {"Content-Type": "application/json", "Stripe-Signature": f"t={at},v1={digest}"},
            body,
        )

    def notify(self, charge: Charge) -> None:
        self._post_event(*self.webhook(charge))

    def _send(self, provider: str, event: dict[str, Any]) -> None:
        self._post_event(*self.signed(provider, event))

    def _post_event(self, url: str, headers: dict[str, str], body: bytes) -> None:
        self.sent.append((url, headers, body))
        self.deliver(url, headers, body)

    def _deliver_with_retries(self, url: str, headers: dict[str, str], body: bytes) -> None:
        threading.Thread(target=self._post, args=(url, headers, body), daemon=True).start()

    def _post(self, url: str, headers: dict[str, str], body: bytes) -> None:
        import logging
        import urllib.error
        import urllib.request

        log = logging.getLogger("payment_sandbox")
        for attempt in range(1, self.config.delivery_attempts + 1):
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 # nosec B310
                    if 200 <= response.status < 300:
                        log.info("webhook delivered to %s (attempt %d)", url, attempt)
                        return
            except (urllib.error.URLError, OSError) as exc:
                log.warning("webhook to %s failed (attempt %d): %s", url, attempt, exc)
            time.sleep(self.config.delivery_backoff * 2 ** (attempt - 1))
        log.error("webhook to %s given up after %d attempts", url, self.config.delivery_attempts)


def _loads(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _json(status: int, body: dict[str, Any]) -> tuple[str, str, bytes, list[tuple[str, str]]]:
    reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
    return (
        f"{status} {reasons.get(status, 'Error')}",
        "application/json",
        json.dumps(body).encode(),
        [],
    )
