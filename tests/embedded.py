"""Bring up the embedded PostgreSQL and Redis when a test run was started without
DATABASE_URL/REDIS_URL (plain `pytest`); `make test` provides them already."""

from __future__ import annotations

import atexit
import os
from urllib.parse import urlsplit, urlunsplit


def ensure_backing_services() -> None:
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    from deploy.localstack.backing import backing_services

    services = backing_services(purpose="pytest")
    os.environ.update(services.__enter__())
    atexit.register(services.__exit__, None, None, None)


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (tests own db 15)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))
