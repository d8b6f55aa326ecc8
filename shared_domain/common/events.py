"""The explicit event bus: how one bounded context reacts to another (no Django signals).

Events are frozen dataclasses defined in `<context>/events.py`:

    @dataclass(frozen=True)
    class OrderPlaced(Event):
        order_id: int

Handlers are registered explicitly, in each app's `AppConfig.ready()`:

    subscribe(OrderPlaced, handlers.send_confirmation)

`publish()` records the event (an `EventRecord`, in the caller's transaction) and runs
the handlers after that transaction commits, or at once outside a transaction; a
rolled-back transaction runs no handler and leaves no record. `apublish()` does the
same from async code (where there is no transaction). Handlers may be sync or async.
A failing handler is logged (with the request id) and counted; the publisher and the
other handlers never notice. Handlers mostly enqueue tasks.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from inspect import iscoroutinefunction
from typing import Any, ClassVar

from asgiref.sync import async_to_sync, sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from prometheus_client import Counter

from shared_domain.common import context

logger = logging.getLogger("fashionistar.events")

EVENTS_PUBLISHED = Counter(
    "fashionistar_events_published_total", "Domain events published.", ["event"]
)
HANDLER_FAILURES = Counter(
    "fashionistar_event_handler_failures_total",
    "Event handlers that raised.",
    ["event", "handler"],
)


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of all domain events. Subclasses are frozen dataclasses whose fields are
    JSON-serialisable (ids, strings, numbers, decimals, datetimes)."""

    context_label: ClassVar[str] = ""

    @classmethod
    def event_type(cls) -> str:
        # shared_domain.orders.events.OrderPlaced -> "orders.OrderPlaced"
        parts = cls.__module__.split(".")
        label = cls.context_label or (parts[1] if len(parts) > 2 else parts[0])
        return f"{label}.{cls.__name__}"

    def payload(self) -> dict[str, Any]:
        raw = dataclasses.asdict(self)
        return dict(json.loads(json.dumps(raw, cls=DjangoJSONEncoder)))


SyncHandler = Callable[[Any], object]
AsyncHandler = Callable[[Any], Awaitable[object]]
Handler = SyncHandler | AsyncHandler


def _handler_name(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', handler)}"


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)

    def subscribe(self, event_class: type[Event], handler: Handler) -> None:
        if not (isinstance(event_class, type) and issubclass(event_class, Event)):
            raise TypeError(f"{event_class!r} is not an Event class")
        if handler not in self._handlers[event_class]:
            self._handlers[event_class].append(handler)

    def handlers_for(self, event: Event) -> list[Handler]:
        found: list[Handler] = []
        for klass in type(event).__mro__:
            if isinstance(klass, type) and issubclass(klass, Event):
                found.extend(self._handlers.get(klass, ()))
        return found

    # ------------------------------------------------------------------ sync
    def publish(self, event: Event) -> None:
        request_id = context.request_id.get()
        self._record(event, request_id)
        EVENTS_PUBLISHED.labels(event.event_type()).inc()
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: self._dispatch(event, request_id), robust=True)
        else:
            self._dispatch(event, request_id)

    def _record(self, event: Event, request_id: str | None) -> None:
        from shared_domain.common.models import EventRecord

        EventRecord.objects.create(
            event_type=event.event_type(), payload=event.payload(), request_id=request_id or ""
        )

    def _dispatch(self, event: Event, request_id: str | None) -> None:
        token = context.request_id.set(request_id)
        try:
            for handler in self.handlers_for(event):
                try:
                    if iscoroutinefunction(handler):
                        async_to_sync(handler)(event)
                    else:
                        handler(event)
                except Exception as exc:  # noqa: BLE001 - one handler's bug must not stop the others
                    self._failed(event, handler, exc)
        finally:
            context.request_id.reset(token)

    # ------------------------------------------------------------------ async
    async def apublish(self, event: Event) -> None:
        request_id = context.request_id.get()
        await sync_to_async(self._record)(event, request_id)
        EVENTS_PUBLISHED.labels(event.event_type()).inc()
        for handler in self.handlers_for(event):
            try:
                if iscoroutinefunction(handler):
                    await handler(event)
                else:
                    await sync_to_async(handler)(event)
            except Exception as exc:  # noqa: BLE001 - one handler's bug must not stop the others
                self._failed(event, handler, exc)

    @staticmethod
    def _failed(event: Event, handler: Handler, exc: Exception) -> None:
        name = _handler_name(handler)
        HANDLER_FAILURES.labels(event.event_type(), name).inc()
        logger.error(
            "event handler %s failed for %s",
            name,
            event.event_type(),
            exc_info=exc,
            extra={"event": event.event_type(), "handler": name},
        )


bus = EventBus()
subscribe = bus.subscribe
publish = bus.publish
apublish = bus.apublish
