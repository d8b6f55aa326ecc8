"""What the event outbox costs a publisher, measured in one run.

    python -m deploy.localstack exec -- python -m tests.bench.bench_outbox   # make bench-outbox

On a fresh database, THREADS threads (each with its own connection) call the real
`user_register` service for DURATION seconds each way, and the same threads publish
`UserRegistered` alone (a transaction holding just the event, whose handler enqueues
the verification email task):

- "outbox": the event bus as shipped (outbox row with pending handlers; after the
  commit, one transaction claims and marks the row and runs the handler);
- "baseline": the bus as it was before the outbox (the event row, then the handler
  called after the commit, nothing marked), as a subclass built here.

Registrations are timed with the production password hasher (Argon2, what a user
waits for) and with a fast one (MD5), which leaves the database work to dominate.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
DURATION = float(os.environ.get("BENCH_DURATION", "8"))


def _setup() -> tuple[str, str]:
    sys.path.insert(0, str(REPO))
    from deploy.localstack.backing import database_url_for, ensure_database

    base_url = os.environ["DATABASE_URL"]
    name = f"fashionistar_bench_{uuid.uuid4().hex[:8]}"
    admin = database_url_for(base_url, "postgres")
    ensure_database(admin, name)
    os.environ["DATABASE_URL"] = database_url_for(base_url, name)
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "sync_service.settings", "MAIL_BACKEND": "locmem",
         "LOG_LEVEL": "WARNING", "THROTTLE_ENABLED": "false"}
    )  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    return admin, name


def _run(label: str, call: Callable[[int], None]) -> float:
    from django.db import connection

    counts = [0] * THREADS
    stop = time.monotonic() + DURATION

    def loop(index: int) -> None:
        try:
            n = 0
            while time.monotonic() < stop:
                call(index * 10_000_000 + n)
                n += 1
            counts[index] = n
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate = sum(counts) / (time.monotonic() - started)
    print(f"  {label:<44} {rate:9.1f}/s", flush=True)
    return rate


def main() -> int:
    admin, name = _setup()
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import override_settings

    from deploy.localstack.backing import drop_database
    from shared_domain.accounts import services
    from shared_domain.accounts.events import UserRegistered
    from shared_domain.common import events
    from shared_domain.common.models import EventRecord

    class BaselineBus(events.EventBus):
        """The publish path before the outbox: a plain record, handlers after commit."""

        def publish(self, *published: events.Event) -> None:
            for event in published:
                EventRecord.objects.create(event_type=event.event_type(), payload=event.payload())
                handlers = self.handlers_for(event)
                transaction.on_commit(
                    lambda e=event, hs=handlers: [h(e) for h in hs],  # type: ignore[misc]
                    robust=True,
                )

    real = events.bus
    baseline = BaselineBus()
    baseline._handlers = real._handlers
    run_id = uuid.uuid4().hex[:6]

    def register(n: int) -> None:
        email = f"bench-{run_id}-{n}-{uuid.uuid4().hex[:8]}@outbox.example"
        services.user_register(
            email=email, password="Bench-Pass-2026!", full_name="Bench", role="customer"
        )

    def publish_only(bus: events.EventBus) -> Callable[[int], None]:
        def call(n: int) -> None:
            with transaction.atomic():
                bus.publish(UserRegistered(user_id=n, role="customer"))

        return call

    results: dict[str, float] = {}
    print(f"\n{THREADS} threads, {DURATION:.0f} s each, backend {settings.TASKS_BACKEND}:")
    try:
        for hasher in ("argon2", "md5"):
            hashers = settings.PASSWORD_HASHERS
            if hasher == "md5":
                hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
            with override_settings(PASSWORD_HASHERS=hashers):
                for label, bus in (("baseline", baseline), ("outbox", real)):
                    events.publish = bus.publish  # what services call
                    results[f"register {hasher} {label}"] = _run(
                        f"registrations ({hasher}), {label}", register
                    )
        for label, bus in (("baseline", baseline), ("outbox", real)):
            results[f"publish {label}"] = _run(
                f"UserRegistered published, {label}", publish_only(bus)
            )
    finally:
        events.publish = real.publish
        from django.db import connections

        connections.close_all()
        drop_database(admin, name)
    print("\noutbox / baseline:")
    for what in ("register argon2", "register md5", "publish"):
        ratio = results[f"{what} outbox"] / results[f"{what} baseline"]
        print(f"  {what:<20} {ratio:6.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
