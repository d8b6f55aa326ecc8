"""What a task carries besides its arguments, through any backend's storage: the
request id, the attempt number and the lineage of retries."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

# Reserved keyword argument that carries our metadata (request id, attempt, lineage)
# through any backend's storage. Stripped before the task function is called.
META_KWARG = "_fs_meta"


@dataclasses.dataclass(frozen=True)
class TaskMeta:
    request_id: str | None = None
    # This run's number in the life of the logical task (1 = the first run).
    attempt: int = 1
    root_id: str | None = None
    # The attempt this run's retry budget started at: 1, or the attempt a re-drive
    # started (a re-driven task gets a fresh budget but keeps counting attempts).
    first_attempt: int = 1
    # W3C traceparent of the span that enqueued the task (tracing on only).
    traceparent: str | None = None

    @property
    def retries_used(self) -> int:
        return self.attempt - self.first_attempt

    def as_kwarg(self) -> dict[str, Any]:
        kwarg: dict[str, Any] = {
            "request_id": self.request_id,
            "attempt": self.attempt,
            "root_id": self.root_id,
            "first_attempt": self.first_attempt,
        }
        if self.traceparent:
            kwarg["traceparent"] = self.traceparent
        return kwarg

    @classmethod
    def read(cls, kwargs: Mapping[str, Any]) -> TaskMeta:
        raw = kwargs.get(META_KWARG)
        if not isinstance(raw, Mapping):
            return cls()
        attempt = int(raw.get("attempt") or 1)
        return cls(
            request_id=raw.get("request_id"),
            attempt=attempt,
            root_id=raw.get("root_id"),
            first_attempt=min(attempt, int(raw.get("first_attempt") or 1)),
            traceparent=raw.get("traceparent") or None,
        )

    @classmethod
    def pop_from(cls, kwargs: dict[str, Any]) -> TaskMeta:
        meta = cls.read(kwargs)
        kwargs.pop(META_KWARG, None)
        return meta
