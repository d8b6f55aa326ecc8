"""The transactional outbox behind the event bus: committed events are never lost.

`publish()` inserts an `EventRecord` in the business transaction with the keys of the
handlers still to run (`pending_handlers`) and `next_attempt_at` a short grace period
ahead (`OUTBOX_GRACE_SECONDS`). Right after the commit, the publishing process
dispatches it in one transaction: one statement claims the rows published together
and marks them dispatched (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`),
then their handlers run (if one raises, that rolls back and the rows are dispatched
one by one: a row with one handler records the failure for the relay; a row with
several is locked and each handler runs in a savepoint, so only the failed ones stay
pending). Handlers mostly
enqueue tasks; on the database task backend the task rows commit together with the
mark, so a dispatch enqueues exactly once; on RQ the enqueue is immediate and a
crash before the mark commits enqueues again (at least once).

If the process dies between the commit and the dispatch, or a handler raises, the
row stays pending; the relay (`relay_pass`, run by every worker process) picks rows
whose `next_attempt_at` has passed, oldest first, with `SKIP LOCKED`, so several
relays never dispatch one row at the same time, and runs each pending handler in a
savepoint, so only the failed ones stay pending. A failed handler is retried with
exponential backoff (`OUTBOX_RETRY_BASE_DELAY` doubling) and, after
`OUTBOX_MAX_ATTEMPTS` (or at once for a permanent error), becomes a `DeadLetter`
(queue `outbox`) that staff can re-drive: the handler is then pending again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import timedelta
from inspect import iscoroutinefunction
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from shared_domain.common import context
from shared_domain.common.events import (
    HANDLER_FAILURES,
    Event,
    EventBus,
    Handler,
    PermanentEventError,
    event_class,
)
from shared_domain.common.models import DeadLetter, EventRecord
from shared_domain.common.tasking import DEFAULT_PERMANENT, dead_letter_record, retry_delay

if TYPE_CHECKING:
    from datetime import datetime

logger = logging.getLogger("fashionistar.events")

# The DeadLetter queue name of event handlers that failed for good.
OUTBOX_QUEUE = "outbox"
# Handler errors that retrying cannot heal.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (PermanentEventError, *DEFAULT_PERMANENT)

DISPATCHED = Counter(
    "fashionistar_outbox_dispatched_total",
    "Outbox events whose handlers all ran, by who dispatched them.",
    ["via"],
)
DISPATCH_FAILURES = Counter(
    "fashionistar_outbox_dispatch_failures_total",
    "Outbox dispatches that left a handler pending (it is retried with backoff).",
    ["event"],
)


# ---------------------------------------------------------------------- publish side
def record_and_dispatch(bus: EventBus, events: Sequence[Event], request_id: str | None) -> None:
    """Write the outbox rows of `events` (one statement) in the current transaction;
    dispatch them together after the commit (at once in autocommit). An event nobody
    handles is stored already dispatched."""
    now = timezone.now()
    grace = timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    records = []
    for event in events:
        keys = list(bus.handler_keys(event))
        records.append(
            EventRecord(
                event_type=event.event_type(),
                payload=event.payload(),
                request_id=request_id or "",
                occurred_at=now,
                pending_handlers=keys,
                next_attempt_at=now + grace if keys else None,
                dispatched_at=None if keys else now,
            )
        )
    EventRecord.objects.bulk_create(records)
    pending = [record for record in records if record.pending_handlers]
    if not pending:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # robust: a dispatch that fails (database gone) is logged; the relay retries it.
        transaction.on_commit(lambda: dispatch_published(bus, pending), robust=True)
    else:
        dispatch_published(bus, pending)


def dispatch_published(bus: EventBus, records: Sequence[EventRecord]) -> int:
    """The publisher's dispatch, right after its commit. Returns how many records it
    delivered.

    Records published together go in one transaction: one statement claims them and
    marks them dispatched (skipping any a relay holds), their handlers run, one
    commit. If a handler raises, that rolls back and each record is dispatched on its
    own, so only the failing handler is left to the relay (the others may run twice:
    handlers are idempotent)."""
    if len(records) > 1:
        try:
            return _dispatch_together(bus, records)
        except _HandlerFailed:
            pass  # rolled back: one at a time below
    return sum(_dispatch_alone(bus, record) for record in records)


def _dispatch_alone(bus: EventBus, record: EventRecord) -> int:
    """One handler (most events): claimed, marked and handled in one transaction; if
    the handler raises, that rolls back and the failure is recorded for the relay.
    Several handlers: under the row lock, each in a savepoint, so one's failure keeps
    the others' work."""
    if len(record.pending_handlers) > 1:
        return int(_dispatch_locked(bus, record.pk, via="inline"))
    try:
        return _dispatch_together(bus, [record])
    except _HandlerFailed as failed:
        _log_failure(record, failed.key, failed.error)
        _record_failure(record, failed.error)
        return 0


class _HandlerFailed(Exception):
    def __init__(self, key: str, error: Exception) -> None:
        super().__init__(key)
        self.key = key
        self.error = error


_CLAIM = (
    "UPDATE common_eventrecord SET dispatched_at = now(), pending_handlers = '[]', "
    "next_attempt_at = NULL WHERE id IN (SELECT id FROM common_eventrecord "
    "WHERE id = ANY(%s) AND dispatched_at IS NULL FOR UPDATE SKIP LOCKED) RETURNING id"
)


def _dispatch_together(bus: EventBus, records: Sequence[EventRecord]) -> int:
    """Claim the records in one statement and run all their handlers in one
    transaction; _HandlerFailed (everything rolled back) if one raises."""
    with transaction.atomic():
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(_CLAIM, [[record.pk for record in records]])
            claimed = {row[0] for row in cursor.fetchall()}
        for record in records:
            if record.pk not in claimed:
                continue
            event = event_class(record.event_type).from_payload(record.payload)
            handlers = bus.handler_keys(event)
            token = context.request_id.set(record.request_id or None)
            try:
                for key in record.pending_handlers:
                    try:
                        _call(handlers[key], event)  # the keys were made from this bus
                    except Exception as exc:
                        raise _HandlerFailed(key, exc) from exc
            finally:
                context.request_id.reset(token)
    DISPATCHED.labels("inline").inc(len(claimed))
    return len(claimed)


def _record_failure(record: EventRecord, error: Exception) -> None:
    """After a failed inline dispatch (rolled back): under the row lock, count the
    attempt and hand the row to the relay after the backoff, or dead-letter its
    handler at once for a permanent error."""
    with transaction.atomic():
        row = (
            EventRecord.objects.select_for_update(skip_locked=True)
            .filter(pk=record.pk, dispatched_at__isnull=True)
            .first()
        )
        if row is None:  # a relay took it meanwhile
            return
        if isinstance(error, PERMANENT_ERRORS):
            row.attempts += 1
            _dead_letter(row, row.pending_handlers, error, reason=DeadLetter.Reason.PERMANENT)
            _finish(row, now=timezone.now())
        else:
            _retry_or_give_up(row, row.pending_handlers, error, now=timezone.now())


def _dispatch_locked(bus: EventBus, record_id: int, *, via: str) -> bool:
    with transaction.atomic():
        row = (
            EventRecord.objects.select_for_update(skip_locked=True)
            .filter(pk=record_id, dispatched_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        deliver(bus, row, via=via)
    return True


def relay_pass(bus: EventBus, *, limit: int = 100) -> int:
    """Dispatch up to `limit` records whose next attempt is due (the publisher died,
    or a handler failed earlier), one transaction each. Returns how many it took."""
    taken = 0
    # Rows due when the pass began: a row that fails again is not retaken in this pass.
    due = timezone.now()
    while taken < limit:
        with transaction.atomic():
            row = (
                EventRecord.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True, next_attempt_at__lte=due)
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if row is None:
                break
            try:
                with transaction.atomic():  # a savepoint: the row stays locked
                    deliver(bus, row, via="relay")
            except Exception as exc:
                # Not a handler's failure (deliver records those): the row could not
                # be handled at all. Count it as a failed attempt, so the pass moves
                # on and the row is retried later or dead-lettered, never stuck first.
                logger.exception("outbox: dispatching event %s failed", row.pk)
                _retry_or_give_up(row, row.pending_handlers, exc, now=timezone.now())
        taken += 1
    return taken


# ---------------------------------------------------------------------- delivery
def deliver(bus: EventBus, row: EventRecord, *, via: str) -> None:
    """Run `row`'s pending handlers (the row is locked by the caller's transaction)
    and record the outcome on it."""
    token = context.request_id.set(row.request_id or None)
    try:
        try:
            event = event_class(row.event_type).from_payload(row.payload)
        except Exception as exc:  # noqa: BLE001 - e.g. a worker older than the publisher
            # This process's code cannot read the event (an unknown type during a
            # rollout, a renamed field): retry with backoff, so a process running
            # newer code can take it; dead-lettered once the attempts run out.
            _log_failure(row, "(event)", exc)
            _retry_or_give_up(row, row.pending_handlers, exc, now=timezone.now())
            return
        handlers = bus.handler_keys(event)
        failures: dict[str, Exception] = {}
        for key in row.pending_handlers:
            handler = handlers.get(key)
            if handler is None:
                # Unknown here (a handler added or renamed by newer code): retried like a
                # failure, so it is never dropped; a handler that was really removed
                # ends as a dead letter.
                missing = LookupError(f"{key} is not subscribed to {row.event_type} here")
                _log_failure(row, key, missing)
                failures[key] = missing
                continue
            try:
                # A savepoint: a failing handler's writes are undone, the others' kept.
                with transaction.atomic():
                    _call(handler, event)
            except Exception as exc:  # noqa: BLE001 - retried from the outbox, never lost
                _log_failure(row, key, exc)
                failures[key] = exc
        now = timezone.now()
        for key, failure in failures.items():
            if isinstance(failure, PERMANENT_ERRORS):
                _dead_letter(row, [key], failure, reason=DeadLetter.Reason.PERMANENT)
        retry = {k: e for k, e in failures.items() if not isinstance(e, PERMANENT_ERRORS)}
        if retry:
            _retry_or_give_up(row, list(retry), next(iter(retry.values())), now=now)
        else:
            _finish(row, now=now)
            if not failures:
                DISPATCHED.labels(via).inc()
    finally:
        context.request_id.reset(token)


def _call(handler: Handler, event: Event) -> None:
    if iscoroutinefunction(handler):
        async_to_sync(handler)(event)
    else:
        handler(event)


def _log_failure(row: EventRecord, key: str, exc: BaseException) -> None:
    HANDLER_FAILURES.labels(row.event_type, key).inc()
    logger.error(
        "event handler %s failed for %s (attempt %d)",
        key,
        row.event_type,
        row.attempts + 1,
        exc_info=exc,
        extra={"event": row.event_type, "handler": key, "event_id": row.pk},
    )


def _finish(row: EventRecord, *, now: datetime) -> None:
    row.pending_handlers = []
    row.dispatched_at = now
    row.next_attempt_at = None
    row.save(update_fields=["pending_handlers", "dispatched_at", "next_attempt_at", "attempts"])


def _retry_or_give_up(
    row: EventRecord, failed: list[str], error: BaseException, *, now: datetime
) -> None:
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    DISPATCH_FAILURES.labels(row.event_type).inc()
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _dead_letter(row, failed, error, reason=DeadLetter.Reason.EXHAUSTED)
        _finish(row, now=now)
        return
    row.pending_handlers = failed
    row.next_attempt_at = now + timedelta(
        seconds=retry_delay(row.attempts, settings.OUTBOX_RETRY_BASE_DELAY)
    )
    row.save(update_fields=["pending_handlers", "next_attempt_at", "attempts", "last_error"])


def _dead_letter(row: EventRecord, keys: list[str], error: BaseException, *, reason: str) -> None:
    for key in keys:
        dead_letter_record(
            task_path=key,
            queue_name=OUTBOX_QUEUE,
            args=[],
            kwargs={"event_id": row.pk, "event_type": row.event_type, "payload": row.payload},
            root_task_id=f"event-{row.pk}",
            last_task_id=f"event-{row.pk}",
            attempts=row.attempts or 1,
            reason=reason,
            exc=error,
            request_id=row.request_id,
        )


def handler_redrive(letter: DeadLetter) -> str:
    """Make a dead-lettered handler pending again on its event (the record is written
    anew from the letter if it was pruned meanwhile); the relay runs it at once."""
    now = timezone.now()
    event_id = letter.kwargs.get("event_id")
    row = EventRecord.objects.select_for_update().filter(pk=event_id).first()
    if row is None:
        row = EventRecord(
            event_type=letter.kwargs["event_type"],
            payload=letter.kwargs["payload"],
            request_id=letter.request_id,
            occurred_at=now,
        )
    row.pending_handlers = [*row.pending_handlers, letter.task_path]
    row.dispatched_at = None
    row.attempts = 0
    row.next_attempt_at = now
    row.save()
    return f"event-{row.pk}"


# ---------------------------------------------------------------------- lag
def outbox_lag() -> tuple[int, float]:
    """(records not yet dispatched, seconds since the oldest of them was published)."""
    stats = EventRecord.objects.filter(dispatched_at__isnull=True).aggregate(
        pending=Count("pk"), oldest=Min("occurred_at")
    )
    oldest = stats["oldest"]
    age = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
    return int(stats["pending"]), age


class OutboxCollector(Collector):
    """Outbox lag, computed at scrape time from the table (the same on every replica)."""

    def collect(self) -> Iterator[Any]:
        pending, age = outbox_lag()
        yield GaugeMetricFamily(
            "fashionistar_outbox_pending",
            "Published events whose handlers have not all run.",
            value=pending,
        )
        yield GaugeMetricFamily(
            "fashionistar_outbox_oldest_pending_age_seconds",
            "Age of the oldest event not yet dispatched (0 when none).",
            value=age,
        )
