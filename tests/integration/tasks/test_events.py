"""The event bus against the real database: commit/rollback semantics, failure
isolation, sync and async handlers, the audit record."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from shared_domain.common import context, events
from shared_domain.common.events import HANDLER_FAILURES, EventBus
from shared_domain.common.models import EventRecord
from shared_domain.common.queues import queue_depths
from tests.events_fixtures import OtherThing, SomethingHappened
from tests.integration.tasks.conftest import db_only
from tests.tasks import tick

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bus():
    return EventBus()


def test_publish_outside_a_transaction_runs_handlers_at_once(bus):
    seen: list[object] = []
    bus.subscribe(SomethingHappened, seen.append)
    bus.publish(SomethingHappened(thing_id=1))
    assert seen == [SomethingHappened(thing_id=1)]


def test_handlers_run_only_after_commit(bus):
    seen: list[object] = []
    bus.subscribe(SomethingHappened, seen.append)
    with transaction.atomic():
        bus.publish(SomethingHappened(thing_id=2))
        assert seen == []
    assert seen == [SomethingHappened(thing_id=2)]


def test_rolled_back_event_runs_no_handler_records_nothing_enqueues_nothing(bus):
    seen: list[object] = []
    bus.subscribe(SomethingHappened, seen.append)
    bus.subscribe(SomethingHappened, lambda event: tick.enqueue())

    def failing_service():
        with transaction.atomic():
            bus.publish(SomethingHappened(thing_id=3))
            raise RuntimeError("the service failed after publishing")

    with pytest.raises(RuntimeError):
        failing_service()
    assert seen == []
    assert not EventRecord.objects.exists()
    assert sum(queue_depths().values()) == 0


@db_only
def test_task_enqueued_in_a_rolled_back_transaction_disappears():
    counted = []

    def failing_service():
        with transaction.atomic():
            tick.enqueue()
            counted.append(DBTaskResult.objects.count())
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        failing_service()
    assert counted == [1]
    assert DBTaskResult.objects.count() == 0


def test_handler_enqueuing_a_task_does_so_after_commit(bus, run_tasks):
    enqueued = []
    bus.subscribe(SomethingHappened, lambda event: enqueued.append(tick.enqueue()))
    with transaction.atomic():
        bus.publish(SomethingHappened(thing_id=4))
        assert enqueued == []
    assert len(enqueued) == 1
    run_tasks()
    enqueued[0].refresh()
    assert enqueued[0].status == "SUCCESSFUL"


def test_a_failing_handler_is_logged_counted_and_isolated(bus, caplog):
    seen: list[object] = []

    def broken(event):
        raise ValueError("handler bug")

    bus.subscribe(SomethingHappened, broken)
    bus.subscribe(SomethingHappened, seen.append)
    name = f"{broken.__module__}.{broken.__qualname__}"
    before = HANDLER_FAILURES.labels("tests.SomethingHappened", name)._value.get()
    token = context.request_id.set("req-events-1")
    try:
        with transaction.atomic():
            bus.publish(SomethingHappened(thing_id=5))
    finally:
        context.request_id.reset(token)
    assert seen == [SomethingHappened(thing_id=5)]
    assert HANDLER_FAILURES.labels("tests.SomethingHappened", name)._value.get() == before + 1
    failure = next(r for r in caplog.records if r.name == "fashionistar.events")
    assert failure.levelno == logging.ERROR
    assert "handler bug" in failure.exc_text
    assert failure.handler == name


def test_request_id_travels_to_handlers_run_after_commit(bus):
    seen: list[object] = []
    bus.subscribe(SomethingHappened, lambda event: seen.append(context.request_id.get()))
    token = context.request_id.set("req-events-2")
    try:
        with transaction.atomic():
            bus.publish(SomethingHappened(thing_id=6))
    finally:
        context.request_id.reset(token)
    assert seen == ["req-events-2"]


def test_every_event_is_recorded_with_type_payload_and_request_id(bus):
    token = context.request_id.set("req-events-3")
    at = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    try:
        bus.publish(SomethingHappened(thing_id=7, amount=Decimal("12500.50"), at=at))
    finally:
        context.request_id.reset(token)
    record = EventRecord.objects.get()
    assert record.event_type == "tests.SomethingHappened"
    assert record.payload == {"thing_id": 7, "amount": "12500.50", "at": "2026-11-22T12:00:00Z"}
    assert record.request_id == "req-events-3"


def test_handlers_are_per_event_type(bus):
    seen: list[object] = []
    bus.subscribe(OtherThing, seen.append)
    bus.publish(SomethingHappened(thing_id=8))
    assert seen == []


def test_async_handlers_run_from_sync_publish(bus):
    seen: list[object] = []

    async def handler(event):
        seen.append(event.thing_id)

    bus.subscribe(SomethingHappened, handler)
    bus.publish(SomethingHappened(thing_id=9))
    assert seen == [9]


async def test_apublish_runs_sync_and_async_handlers_and_isolates_failures(bus):
    seen: list[object] = []

    async def async_handler(event):
        seen.append(("async", event.label))

    def sync_handler(event):
        seen.append(("sync", event.label))

    async def broken(event):
        raise RuntimeError("nope")

    for handler in (broken, async_handler, sync_handler):
        bus.subscribe(OtherThing, handler)
    await bus.apublish(OtherThing(label="x"))
    assert seen == [("async", "x"), ("sync", "x")]
    assert await EventRecord.objects.filter(event_type="tests.OtherThing").acount() == 1


def test_only_event_classes_can_be_subscribed(bus):
    with pytest.raises(TypeError):
        bus.subscribe(dict, print)


def test_module_level_functions_use_one_shared_bus(monkeypatch):
    monkeypatch.setattr(events.bus, "_handlers", defaultdict(list))  # restored afterwards
    seen: list[object] = []
    events.subscribe(SomethingHappened, seen.append)
    events.publish(SomethingHappened(thing_id=10))
    assert seen == [SomethingHappened(thing_id=10)]
    assert events.bus.handlers_for(SomethingHappened(thing_id=11)) == [seen.append]
    assert EventRecord.objects.get().payload["thing_id"] == 10
