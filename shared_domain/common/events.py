"""The explicit event bus: how one bounded context reacts to another (no Django signals).

Events are frozen dataclasses defined in `<context>/events.py`:

    @dataclass(frozen=True)
    class OrderPlaced(Event):
        order_id: int

Handlers are registered explicitly, in each app's `AppConfig.ready()`:

    subscribe(OrderPlaced, handlers.send_confirmation)

`publish(*events)` writes each event to the outbox (an `EventRecord` row, in the
caller's transaction, naming the handlers still to run; events published in one call
take one statement and one dispatch) and runs the handlers right after that
transaction commits, or at once outside a transaction; a rolled-back
transaction runs no handler and leaves no record. If the process dies between the
commit and the handlers, or a handler fails, the outbox relay in the worker runs
the handlers still pending (see `shared_domain.common.outbox`): each handler of a
committed event runs **at least once**, so handlers must be idempotent (they mostly
enqueue tasks). `apublish()` does the same from async code. Handlers may be sync or
async; a failing handler is logged (with the request id) and counted, retried with
backoff, and dead-lettered after `OUTBOX_MAX_ATTEMPTS`; the publisher and the other
handlers never notice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import types
import typing
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from prometheus_client import Counter

from shared_domain.common import context

logger = logging.getLogger("fashionistar.events")

EVENTS_PUBLISHED = Counter(
    "fashionistar_events_published_total", "Domain events published.", ["event"]
)
HANDLER_FAILURES = Counter(
    "fashionistar_event_handler_failures_total",
    "Event handler runs that raised (each is retried from the outbox).",
    ["event", "handler"],
)

_EVENT_TYPES: dict[str, type[Event]] = {}


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of all domain events. Subclasses are frozen dataclasses whose fields are
    JSON-serialisable (ids, strings, numbers, decimals, datetimes, UUIDs): the outbox
    stores the payload and handlers receive the event rebuilt from it."""

    context_label: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _EVENT_TYPES[cls.event_type()] = cls

    @classmethod
    def event_type(cls) -> str:
        # shared_domain.orders.events.OrderPlaced -> "orders.OrderPlaced"
        parts = cls.__module__.split(".")
        label = cls.context_label or (parts[1] if len(parts) > 2 else parts[0])
        return f"{label}.{cls.__name__}"

    def payload(self) -> dict[str, Any]:
        raw = dataclasses.asdict(self)
        return dict(json.loads(json.dumps(raw, cls=DjangoJSONEncoder)))

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Event:
        hints = _field_types(cls)
        return cls(**{name: _coerce(hints.get(name), value) for name, value in payload.items()})


class PermanentEventError(Exception):
    """Raise from a handler when retrying cannot help: it is dead-lettered at once."""


class UnknownEventType(LookupError):
    """A stored event whose class no longer exists (renamed or removed)."""


def event_class(event_type: str) -> type[Event]:
    try:
        return _EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


_FIELD_TYPES: dict[type[Event], dict[str, Any]] = {}


def _field_types(cls: type[Event]) -> dict[str, Any]:
    if cls not in _FIELD_TYPES:
        _FIELD_TYPES[cls] = typing.get_type_hints(cls)
    return _FIELD_TYPES[cls]


def _coerce(hint: Any, value: Any) -> Any:
    """JSON value -> the field's type, for the types DjangoJSONEncoder writes as text."""
    if value is None or hint is None:
        return value
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            if arg is not type(None):
                return _coerce(arg, value)
    if hint is Decimal:
        return Decimal(value)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    if hint is uuid.UUID:
        return uuid.UUID(value)
    return value


SyncHandler = Callable[[Any], object]
AsyncHandler = Callable[[Any], Awaitable[object]]
Handler = SyncHandler | AsyncHandler


def handler_name(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', handler)}"


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)

    def subscribe(self, event_class: type[Event], handler: Handler) -> None:
        if not (isinstance(event_class, type) and issubclass(event_class, Event)):
            raise TypeError(f"{event_class!r} is not an Event class")
        if handler not in self._handlers[event_class]:
            self._handlers[event_class].append(handler)

    def handlers_for(self, event: Event | type[Event]) -> list[Handler]:
        found: list[Handler] = []
        klass = event if isinstance(event, type) else type(event)
        for base in klass.__mro__:
            if isinstance(base, type) and issubclass(base, Event):
                found.extend(self._handlers.get(base, ()))
        return found

    def handler_keys(self, event: Event | type[Event]) -> dict[str, Handler]:
        """The handlers of an event by the stable key the outbox stores: the handler's
        dotted name, with `#2`, `#3`... for the same name subscribed again."""
        keys: dict[str, Handler] = {}
        for handler in self.handlers_for(event):
            name = key = handler_name(handler)
            number = 1
            while key in keys:
                number += 1
                key = f"{name}#{number}"
            keys[key] = handler
        return keys

    def publish(self, *events: Event) -> None:
        """Publish one or more events: events published together are written in one
        statement and dispatched together after the commit."""
        from shared_domain.common import outbox

        if not events:
            return
        outbox.record_and_dispatch(self, events, context.request_id.get())
        for event in events:
            EVENTS_PUBLISHED.labels(event.event_type()).inc()

    async def apublish(self, *events: Event) -> None:
        # No transaction in async code: the records are written and dispatched at once,
        # on one thread hop.
        from shared_domain.common.asyncdb import run_db

        await run_db(self.publish, *events)


bus = EventBus()
subscribe = bus.subscribe
publish = bus.publish
apublish = bus.apublish
