"""The event outbox: a committed event's handlers run at least once, whatever happens
to the process that published it; a rolled-back one runs nothing. Runs on both task
backends (the task suite runs again with TASKS_BACKEND=rq)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared_domain.accounts import handlers as account_handlers
from shared_domain.accounts.events import UserRegistered
from shared_domain.accounts.models import User
from shared_domain.accounts.tasks import deliver_verification_code
from shared_domain.common import outbox
from shared_domain.common.events import EventBus, PermanentEventError, bus
from shared_domain.common.models import DeadLetter, EventRecord
from shared_domain.common.services import dead_letter_redrive
from tests.concurrency import race
from tests.events_fixtures import OtherThing, SomethingHappened
from tests.workerproc import REPO, WorkerProcess, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Outbox-Pass-2026!"


def _register(email: str) -> User:
    from shared_domain.accounts import services

    return services.user_register(
        email=email, password=PASSWORD, full_name="Ada Outbox", role="customer"
    )


def _mails_to(mail_dir, address: str) -> list[str]:
    found = []
    for path in sorted(mail_dir.glob("*")):
        text = path.read_text(errors="replace")
        # The file mailer appends messages to one file per process and run.
        found += [part for part in text.split("\n" + "-" * 79) if f"To: {address}" in part]
    return found


# ---------------------------------------------------------------------- crash safety
_REGISTER_AND_DIE = """
import os, signal, django
django.setup()
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from shared_domain.accounts import services
with transaction.atomic():
    # Registered first, so it runs first after the commit: the process dies after the
    # registration committed and before the event was dispatched.
    transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
    services.user_register(email={email!r}, password={password!r}, full_name="Ada", role="customer")
"""


def _register_and_die(env: dict[str, str], email: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _REGISTER_AND_DIE.format(email=email, password=PASSWORD)],
        env={**env, "DJANGO_SETTINGS_MODULE": "sync_service.settings"},
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]


def test_registration_committed_by_a_process_killed_before_dispatch_is_still_emailed_once(
    subprocess_env, tmp_path
):
    email = "crash@outbox.example"
    env = {**subprocess_env, "MAIL_BACKEND": "file", "MAIL_FILE_PATH": str(tmp_path)}
    _register_and_die(env, email)
    user = User.objects.get(email=email)
    record = EventRecord.objects.get(event_type="accounts.UserRegistered")
    assert record.dispatched_at is None
    assert record.pending_handlers == ["shared_domain.accounts.handlers.send_verification_code"]
    assert _mails_to(tmp_path, email) == []

    with WorkerProcess(env, "--relay", "--concurrency", "1") as worker:
        assert wait_for(lambda: _mails_to(tmp_path, email), timeout=60), worker.output()
        # Give a second dispatch every chance to happen before counting.
        assert wait_for(
            lambda: EventRecord.objects.filter(pk=record.pk, dispatched_at__isnull=False).exists()
        )
        time.sleep(1.5)
    assert len(_mails_to(tmp_path, email)) == 1
    assert "verification code" in _mails_to(tmp_path, email)[0]
    assert not User.objects.get(pk=user.pk).email_verified


def test_a_worker_without_the_relay_leaves_the_event_pending(subprocess_env, tmp_path):
    """The relay is what delivers it: the same crash with the relay off sends nothing."""
    email = "norelay@outbox.example"
    env = {**subprocess_env, "MAIL_BACKEND": "file", "MAIL_FILE_PATH": str(tmp_path)}
    _register_and_die(env, email)
    with WorkerProcess(env, "--no-relay", "--concurrency", "1"):
        time.sleep(2.0)
    assert _mails_to(tmp_path, email) == []
    assert EventRecord.objects.get(event_type="accounts.UserRegistered").dispatched_at is None


# ---------------------------------------------------------------------- failures
class _FlakyEnqueue:
    """Stands in for a task whose enqueue fails `failures` times, then works."""

    def __init__(self, task, failures: int) -> None:
        self.task = task
        self.failures = failures
        self.calls = 0

    def enqueue(self, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("task queue unavailable")
        return self.task.enqueue(**kwargs)


def test_an_enqueue_that_raises_is_retried_by_the_relay_then_sent_once(monkeypatch, run_tasks):
    flaky = _FlakyEnqueue(deliver_verification_code, failures=1)
    monkeypatch.setattr(account_handlers, "deliver_verification_code", flaky)
    failures_before = outbox.DISPATCH_FAILURES.labels("accounts.UserRegistered")._value.get()
    with transaction.atomic():
        user = _register("flaky@outbox.example")
    record = EventRecord.objects.get(event_type="accounts.UserRegistered")
    assert flaky.calls == 1
    assert record.dispatched_at is None
    assert record.attempts == 1
    assert "task queue unavailable" in record.last_error
    assert record.next_attempt_at is not None
    assert record.next_attempt_at > record.occurred_at
    assert (
        outbox.DISPATCH_FAILURES.labels("accounts.UserRegistered")._value.get()
        == failures_before + 1
    )
    run_tasks()
    assert mail.outbox == []

    assert wait_for(lambda: outbox.relay_pass(bus) == 1, timeout=5)
    delivered = EventRecord.objects.get(pk=record.pk)
    assert delivered.dispatched_at is not None
    assert delivered.pending_handlers == []
    run_tasks()
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert outbox.relay_pass(bus) == 0
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_retry_is_not_taken_before_its_backoff(monkeypatch, settings):
    settings.OUTBOX_RETRY_BASE_DELAY = 60
    flaky = _FlakyEnqueue(deliver_verification_code, failures=1)
    monkeypatch.setattr(account_handlers, "deliver_verification_code", flaky)
    _register("backoff@outbox.example")
    assert outbox.relay_pass(bus) == 0
    record = EventRecord.objects.get(event_type="accounts.UserRegistered")
    assert record.next_attempt_at is not None
    assert record.next_attempt_at - timezone.now() > timedelta(seconds=50)


def test_only_the_handlers_that_failed_are_retried(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    settings.OUTBOX_RETRY_BASE_DELAY = 0
    local = EventBus()
    calls: list[str] = []
    failures_left = [2]

    def good(event):
        calls.append("good")

    def flaky(event):
        calls.append("flaky")
        if failures_left[0]:
            failures_left[0] -= 1
            raise RuntimeError("fails twice")

    local.subscribe(SomethingHappened, good)
    local.subscribe(SomethingHappened, flaky)
    local.publish(SomethingHappened(thing_id=1))
    assert calls == ["good", "flaky"]
    assert EventRecord.objects.get().attempts == 1
    assert outbox.relay_pass(local) == 1
    assert calls == ["good", "flaky", "flaky"]
    record = EventRecord.objects.get()
    flaky_key = list(local.handler_keys(SomethingHappened))[1]
    assert (record.attempts, record.pending_handlers) == (2, [flaky_key])
    assert outbox.relay_pass(local) == 1
    assert calls == ["good", "flaky", "flaky", "flaky"]
    assert EventRecord.objects.get().dispatched_at is not None


def test_a_handler_failing_every_time_becomes_a_dead_letter_that_can_be_redriven(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    settings.OUTBOX_RETRY_BASE_DELAY = 0
    settings.OUTBOX_MAX_ATTEMPTS = 3
    local = EventBus()
    healthy = [False]
    seen: list[int] = []

    def handler(event):
        if not healthy[0]:
            raise RuntimeError("still broken")
        seen.append(event.thing_id)

    local.subscribe(SomethingHappened, handler)
    local.publish(SomethingHappened(thing_id=42))
    for _ in range(5):
        outbox.relay_pass(local)
    record = EventRecord.objects.get()
    assert record.attempts == 3
    assert record.dispatched_at is not None
    letter = DeadLetter.objects.get()
    assert letter.queue_name == outbox.OUTBOX_QUEUE
    assert letter.reason == DeadLetter.Reason.EXHAUSTED
    assert letter.task_path.endswith("handler")
    assert letter.kwargs["payload"]["thing_id"] == 42
    assert "still broken" in letter.error_message
    assert seen == []

    healthy[0] = True
    assert dead_letter_redrive(dead_letter_id=letter.pk) == f"event-{record.pk}"
    assert outbox.relay_pass(local) == 1
    assert seen == [42]


def test_a_permanent_error_is_dead_lettered_at_once_without_a_retry(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    local = EventBus()
    calls: list[int] = []

    def handler(event):
        calls.append(event.thing_id)
        raise PermanentEventError("this event cannot be handled")

    local.subscribe(SomethingHappened, handler)
    local.publish(SomethingHappened(thing_id=5))
    record = EventRecord.objects.get()
    assert record.dispatched_at is not None
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.attempts) == (DeadLetter.Reason.PERMANENT, 1)
    assert outbox.relay_pass(local) == 0
    assert calls == [5]


def test_an_event_this_code_cannot_read_is_retried_then_dead_lettered(settings):
    """A worker older than the publisher may not know the event: it must leave it for
    one that does, and only give up after the last attempt."""
    settings.OUTBOX_RETRY_BASE_DELAY = 0
    settings.OUTBOX_MAX_ATTEMPTS = 2
    EventRecord.objects.create(
        event_type="gone.Renamed",
        payload={},
        pending_handlers=["somewhere.handler"],
        next_attempt_at=timezone.now(),
        dispatched_at=None,
    )
    assert outbox.relay_pass(bus) == 1
    record = EventRecord.objects.get()
    assert (record.dispatched_at, record.attempts) == (None, 1)
    assert "UnknownEventType" in record.last_error
    assert not DeadLetter.objects.exists()
    assert outbox.relay_pass(bus) == 1
    assert DeadLetter.objects.get().error_class.endswith("UnknownEventType")
    assert EventRecord.objects.get().dispatched_at is not None


def test_a_handler_this_process_does_not_know_is_kept_pending(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    EventRecord.objects.create(
        event_type=SomethingHappened.event_type(),
        payload=SomethingHappened(thing_id=1).payload(),
        pending_handlers=["newer.code.handler"],
        next_attempt_at=timezone.now(),
        dispatched_at=None,
    )
    assert outbox.relay_pass(EventBus()) == 1
    record = EventRecord.objects.get()
    assert record.dispatched_at is None
    assert record.pending_handlers == ["newer.code.handler"]
    assert "not subscribed" in record.last_error


def test_rows_written_by_code_older_than_the_outbox_count_as_dispatched():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO common_eventrecord (event_type, payload, request_id, occurred_at) "
            "VALUES ('a.B', '{}', '', now()) RETURNING id"
        )
        (pk,) = cursor.fetchone()
    record = EventRecord.objects.get(pk=pk)
    assert record.dispatched_at is not None
    assert (record.pending_handlers, record.attempts, record.last_error) == ([], 0, "")
    assert outbox.outbox_lag() == (0, 0.0)


# ---------------------------------------------------------------------- races
def test_two_relays_racing_dispatch_each_event_once(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    local = EventBus()
    seen: list[int] = []
    lock = threading.Lock()

    def slow_handler(event):
        time.sleep(0.002)  # widen the window in which the other relay could take it
        with lock:
            seen.append(event.thing_id)

    local.subscribe(SomethingHappened, slow_handler)
    key = next(iter(local.handler_keys(SomethingHappened)))
    due = timezone.now() - timedelta(seconds=1)
    EventRecord.objects.bulk_create(
        EventRecord(
            event_type=SomethingHappened.event_type(),
            payload=SomethingHappened(thing_id=n).payload(),
            pending_handlers=[key],
            next_attempt_at=due,
            dispatched_at=None,
        )
        for n in range(120)
    )

    def relay_until_empty() -> int:
        total = 0
        while taken := outbox.relay_pass(local, limit=10):
            total += taken
        return total

    taken = race(relay_until_empty, relay_until_empty)
    assert all(isinstance(n, int) for n in taken), taken
    assert sum(taken) == 120
    assert sorted(seen) == list(range(120))
    assert not EventRecord.objects.filter(dispatched_at__isnull=True).exists()


def test_events_published_together_take_one_insert_and_one_dispatch(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    local = EventBus()
    seen: list[object] = []
    local.subscribe(SomethingHappened, seen.append)
    local.subscribe(OtherThing, seen.append)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        local.publish(SomethingHappened(thing_id=1), OtherThing(label="two"))
        assert seen == []  # not before the commit
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "common_eventrecord"')]
    claims = [q for q in queries if q["sql"].startswith("UPDATE common_eventrecord")]
    assert (len(inserts), len(claims)) == (1, 1)
    assert seen == [SomethingHappened(thing_id=1), OtherThing(label="two")]
    assert list(EventRecord.objects.values_list("pending_handlers", flat=True)) == [[], []]
    assert EventRecord.objects.filter(dispatched_at__isnull=True).count() == 0
    assert outbox.relay_pass(local) == 0


def test_an_event_with_several_handlers_published_with_another_takes_one_dispatch(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    local = EventBus()
    seen: list[str] = []
    local.subscribe(SomethingHappened, lambda event: seen.append("first"))
    local.subscribe(SomethingHappened, lambda event: seen.append("second"))
    local.subscribe(OtherThing, lambda event: seen.append(event.label))
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        local.publish(SomethingHappened(thing_id=1), OtherThing(label="other"))
    claims = [q for q in queries if q["sql"].startswith("UPDATE common_eventrecord")]
    assert len(claims) == 1
    assert seen == ["first", "second", "other"]
    assert not EventRecord.objects.filter(dispatched_at__isnull=True).exists()


def test_one_failing_handler_of_events_published_together_keeps_the_others(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    settings.OUTBOX_RETRY_BASE_DELAY = 0
    local = EventBus()
    seen: list[str] = []

    def fails(event):
        raise RuntimeError("no")

    local.subscribe(SomethingHappened, lambda event: seen.append("something"))
    local.subscribe(OtherThing, fails)
    with transaction.atomic():
        local.publish(SomethingHappened(thing_id=1), OtherThing(label="two"))
    # The batch rolled back and went one by one: the good handler ran once for good.
    done = EventRecord.objects.get(event_type="tests.SomethingHappened")
    failed = EventRecord.objects.get(event_type="tests.OtherThing")
    assert done.dispatched_at is not None
    assert done.pending_handlers == []
    assert (failed.dispatched_at, failed.attempts) == (None, 1)
    assert failed.pending_handlers == list(local.handler_keys(OtherThing))
    assert seen == ["something", "something"]  # once in the rolled-back batch
    assert outbox.relay_pass(local) == 1
    assert EventRecord.objects.get(pk=failed.pk).attempts == 2


def test_the_relay_skips_an_event_its_publisher_is_dispatching(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    local = EventBus()
    entered = threading.Event()
    release = threading.Event()
    runs: list[str] = []

    def handler(event):
        runs.append(event.label)
        entered.set()
        release.wait(10)

    local.subscribe(OtherThing, handler)

    def publish() -> None:
        try:
            local.publish(OtherThing(label="slow"))
        finally:
            connection.close()

    publisher = threading.Thread(target=publish)
    publisher.start()
    try:
        assert entered.wait(10)
        taken = race(lambda: outbox.relay_pass(local))
    finally:
        release.set()
        publisher.join(10)
    assert taken == [0]
    assert runs == ["slow"]
    assert EventRecord.objects.get().dispatched_at is not None


def test_a_rolled_back_event_leaves_nothing_for_the_relay(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    local = EventBus()
    seen: list[object] = []
    local.subscribe(SomethingHappened, seen.append)

    def failing_service() -> None:
        with transaction.atomic():
            local.publish(SomethingHappened(thing_id=9))
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        failing_service()
    assert outbox.relay_pass(local) == 0
    assert seen == []
    assert not EventRecord.objects.exists()


# ---------------------------------------------------------------------- lag, pruning
def test_outbox_lag_counts_undispatched_events_and_the_oldest_age():
    assert outbox.outbox_lag() == (0, 0.0)
    old = timezone.now() - timedelta(seconds=90)
    EventRecord.objects.create(
        event_type=UserRegistered.event_type(),
        payload={"user_id": 1, "role": "customer"},
        occurred_at=old,
        pending_handlers=["x"],
        next_attempt_at=old,
        dispatched_at=None,
    )
    EventRecord.objects.create(event_type="a.B", payload={}, dispatched_at=timezone.now())
    pending, age = outbox.outbox_lag()
    assert pending == 1
    assert 89 < age < 120


def test_pruning_keeps_events_still_in_the_outbox(run_tasks):
    from shared_domain.common.tasks import prune_event_records

    long_ago = timezone.now() - timedelta(days=400)
    kept = EventRecord.objects.create(
        event_type="a.B",
        payload={},
        occurred_at=long_ago,
        pending_handlers=["x"],
        dispatched_at=None,
    )
    EventRecord.objects.create(
        event_type="a.B", payload={}, occurred_at=long_ago, dispatched_at=long_ago
    )
    result = prune_event_records.enqueue()
    run_tasks()
    result.refresh()
    assert result.return_value == {"event_records": 1}
    assert list(EventRecord.objects.values_list("pk", flat=True)) == [kept.pk]
