"""Events that exist only for tests of the event bus."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

from shared_domain.common.events import Event


@dataclasses.dataclass(frozen=True)
class SomethingHappened(Event):
    context_label = "tests"
    thing_id: int
    amount: Decimal = Decimal(0)
    at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class OtherThing(Event):
    context_label = "tests"
    label: str
