"""Mixed-traffic soak through the ingress: shoppers browse and search on both APIs and
sign in, vendors write drafts, for SOAK_SECONDS (default 600). Reports requests, errors
(5xx and connection errors), truncated responses (a body shorter than its
Content-Length, or JSON that does not parse) and the RSS of each API's process tree at
start (after warm-up), middle and end; fails unless errors and truncations are zero
and the end RSS is at most 1.2 times the start's.

Some clients pause between requests for about the keep-alive timeouts of the ingress
(4 s to its upstreams) and gunicorn (5 s), so requests race idle connections being
closed, where a truncated response would show.

`make soak` (SOAK_SECONDS, SOAK_CONCURRENCY, SOAK_PRODUCTS). `traffic()` is also run,
briefly, by the e2e suite (tests/e2e/test_soak.py).
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Fashionistar-Demo-2026"
IDLE_GAPS = (3.5, 4.0, 4.5, 5.0, 5.5)  # around the ingress's and gunicorn's keep-alive


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    truncated: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, problem: str | None = None, *, counter: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.by_kind[kind] += 1
            if counter:
                setattr(self, counter, getattr(self, counter) + 1)
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {problem}")


def _check(tally: Tally, kind: str, response: httpx.Response) -> None:
    """Count the response, and whether its body is whole."""
    body = response.content
    declared = response.headers.get("content-length")
    if declared is not None and int(declared) != len(body) and response.request.method != "HEAD":
        tally.note(kind, f"{len(body)} of {declared} bytes", counter="truncated")
        return
    if body and response.headers.get("content-type", "").startswith("application/json"):
        try:
            json.loads(body)
        except ValueError:
            tally.note(kind, f"invalid JSON: {body[-80:]!r}", counter="truncated")
            return
    with tally.lock:
        tally.by_status[response.status_code] += 1
    if response.status_code >= 500:
        tally.note(kind, f"{response.status_code} {body[:200]!r}", counter="server_errors")
        return
    tally.note(kind)


def _send(
    tally: Tally, kind: str, client: httpx.Client, method: str, url: str, **kw
) -> httpx.Response | None:
    try:
        response = client.request(method, url, **kw)
    except httpx.RemoteProtocolError as exc:
        # The peer closed before the whole body arrived: a truncated response.
        counter = "truncated" if "body" in str(exc) else "connection_errors"
        tally.note(kind, repr(exc), counter=counter)
        return None
    except httpx.TransportError as exc:
        tally.note(kind, repr(exc), counter="connection_errors")
        return None
    _check(tally, kind, response)
    return response


@dataclass(frozen=True)
class Accounts:
    vendor_email: str
    vendor_password: str
    shopper_email: str
    shopper_password: str


def traffic(
    base_url: str,
    *,
    seconds: float,
    concurrency: int,
    accounts: Accounts,
    on_tick: Callable[[float], None] | None = None,
) -> Tally:
    """Run the mix for `seconds` with `concurrency` clients; `on_tick(elapsed)` is
    called about every second from the calling thread."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    words = ["ankara", "dress", "shirt", "red", "blue", "maxi", "linen", "kaftan"]

    def vendor_token(client: httpx.Client) -> str | None:
        response = _send(tally, "login", client, "POST", "/api/v1/auth/login",
                         json={"email": accounts.vendor_email, "password": accounts.vendor_password})  # fmt: skip
        ok = response is not None and response.status_code == 200
        return str(response.json()["access"]) if ok and response is not None else None

    def client_loop(n: int) -> None:
        rng = random.Random(n)
        product_ids: list[int] = []
        with httpx.Client(base_url=base_url, timeout=30) as client:
            token = vendor_token(client) if n % 4 == 0 else None
            while time.monotonic() < deadline:
                roll = rng.random()
                if token and roll < 0.3:
                    headers = {"Authorization": f"Bearer {token}"}
                    created = _send(tally, "vendor_write", client, "POST", "/api/v1/vendor/products",
                                    headers=headers,
                                    json={"title": f"Soak {uuid.uuid4().hex[:8]}", "price": "5000.00",
                                          "description": "x" * rng.randrange(0, 4000)})  # fmt: skip
                    if created is not None and created.status_code == 201:
                        _send(tally, "vendor_write", client, "PATCH",
                              f"/api/v1/vendor/products/{created.json()['id']}", headers=headers,
                              json={"title": f"Soak {uuid.uuid4().hex[:8]}"})  # fmt: skip
                    elif created is not None and created.status_code == 401:
                        token = vendor_token(client)  # the access token expired
                elif roll < 0.33:  # sign-ins are rare and costly (Argon2)
                    _send(tally, "login", client, "POST", "/api/v2/auth/login",
                          json={"email": accounts.shopper_email, "password": accounts.shopper_password})  # fmt: skip
                elif roll < 0.55:
                    _send(tally, "search", client, "GET", "/api/v2/products/search",
                          params={"q": rng.choice(words), "limit": 20})  # fmt: skip
                elif roll < 0.65:
                    _send(tally, "search", client, "GET", "/api/v1/products",
                          params={"search": rng.choice(words)})  # fmt: skip
                elif roll < 0.8 and product_ids:
                    api = rng.choice(("v1", "v2"))
                    _send(tally, "detail", client, "GET",
                          f"/api/{api}/products/{rng.choice(product_ids)}")  # fmt: skip
                else:
                    listing = _send(tally, "browse", client, "GET", "/api/v1/products",
                                    params={"ordering": rng.choice(["newest", "price", "-price"])})  # fmt: skip
                    if listing is not None and listing.status_code == 200:
                        product_ids = [item["id"] for item in listing.json()["items"]][:20]
                if rng.random() < 0.04:
                    time.sleep(rng.choice(IDLE_GAPS))  # an idle keep-alive connection

    threads = [
        threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if on_tick is not None:
            on_tick(time.monotonic() - started)
    return tally


def main() -> int:
    sys.path.insert(0, str(REPO))
    from deploy.localstack.stack import AppStack, Ports
    from deploy.measure import memory_mib
    from tests.bench.bench_catalog import seeded_database

    seconds = float(os.environ.get("SOAK_SECONDS", "600"))
    concurrency = int(os.environ.get("SOAK_CONCURRENCY", "6"))
    products = int(os.environ.get("SOAK_PRODUCTS", "300"))
    warmup = min(30.0, seconds / 10)
    with seeded_database(products) as (env, run_dir):
        stack = AppStack(ports=Ports.free(), env=env, run_dir=run_dir, log_dir=run_dir / "logs")
        stack.start()
        try:
            apis = {p.name: p for p in stack.processes if p.name.startswith(("sync", "async"))}
            rss: dict[str, dict[str, float]] = {name: {} for name in apis}
            marks = {"start": warmup, "middle": seconds / 2, "end": seconds - 1}

            def sample(elapsed: float) -> None:
                for mark, at in marks.items():
                    for name, process in apis.items():
                        if elapsed >= at and mark not in rss[name] and process.pid:
                            rss[name][mark] = memory_mib(process.pid)["rss"]

            print(f"soak: {seconds:.0f}s, {concurrency} clients, {products} products, "
                  f"through {stack.ports.base_url}", flush=True)  # fmt: skip
            tally = traffic(
                stack.ports.base_url,
                seconds=seconds,
                concurrency=concurrency,
                accounts=Accounts("vendor1@fashionistar.example", DEMO_PASSWORD,
                                  "customer@fashionistar.example", DEMO_PASSWORD),
                on_tick=sample,
            )  # fmt: skip
            sample(seconds + 1)
        finally:
            stack.stop()
    print(f"requests {tally.requests} ({dict(tally.by_kind)}), "
          f"{tally.requests / seconds:.0f}/s")  # fmt: skip
    print(f"statuses {dict(sorted(tally.by_status.items()))}")
    print(f"errors: 5xx {tally.server_errors}, connection {tally.connection_errors}; "
          f"truncated {tally.truncated}")  # fmt: skip
    for example in tally.examples:
        print(f"  {example}")
    flat = True
    for name, marks_rss in rss.items():
        start, end = marks_rss.get("start", 0.0), marks_rss.get("end", 0.0)
        ok = bool(start) and end <= start * 1.2
        flat = flat and ok
        print(f"RSS {name}: start {start:.0f} MiB, middle {marks_rss.get('middle', 0):.0f} MiB, "
              f"end {end:.0f} MiB -> {'flat' if ok else 'GROWING'} (end <= start x 1.2)")  # fmt: skip
    failed = tally.server_errors or tally.connection_errors or tally.truncated or not flat
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
