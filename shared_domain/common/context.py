"""Per-request (or per-task) context that travels with log lines, events and tasks.

Context variables follow asyncio tasks and asgiref's sync/async hops, so a value set
by the request middleware is visible wherever the request's work runs.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id: ContextVar[int | None] = ContextVar("user_id", default=None)
# Who is on the other end of the request (behind TRUSTED_PROXY_COUNT proxies).
client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
user_agent: ContextVar[str] = ContextVar("user_agent", default="")
# Set while a background task runs, so its log lines say which task and attempt.
task_id: ContextVar[str | None] = ContextVar("task_id", default=None)
task_attempt: ContextVar[int | None] = ContextVar("task_attempt", default=None)

# Accept client-supplied ids that are safe to echo and log; anything else is replaced.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(candidate: str | None) -> str:
    """Return `candidate` if it is a well-formed request id, else a fresh one."""
    if candidate and _VALID_REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()
