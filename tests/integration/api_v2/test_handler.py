"""The async service's ASGI handler: no thread started per request (Django's own
handler starts one for every request's sync code), and connections still go back
to the pool."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.workerproc import REPO

pytestmark = pytest.mark.django_db(transaction=True)

_DRIVE = """
import asyncio, json, sys, threading
import os
os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[2]
module = __import__(sys.argv[1], fromlist=["application"])
application = getattr(module, "application", None) or module.get_asgi_application()

async def get(path):
    sent, body = [], [{"type": "http.request", "body": b"", "more_body": False}]
    async def receive():
        if body:
            return body.pop()
        await asyncio.Event().wait()  # the client stays connected
    async def send(message):
        sent.append(message)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"localhost")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8002)}
    await application(scope, receive, send)
    return sent[0]["status"]

started = []
real_start = threading.Thread.start
def counting_start(self, *a, **kw):
    started.append(self.name)
    return real_start(self, *a, **kw)

async def main():
    statuses = [await get("/api/v2/products/search") for _ in range(3)]  # warm up
    threading.Thread.start = counting_start
    statuses += [await get("/api/v2/products/search") for _ in range(20)]
    from django.db import connections
    pool = connections["default"].pool
    return statuses, pool.get_stats().get("pool_size", 0) - pool.get_stats().get("pool_available", 0)

statuses, in_use = asyncio.run(main())
# The database pool's own threads ("db_N") grow with concurrent calls; not counted.
per_request = [name for name in started if not name.startswith("db_")]
print(json.dumps({"statuses": sorted(set(statuses)), "threads": per_request, "in_use": in_use}))
"""


def _drive(env: dict[str, str], module: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _DRIVE, module, "async_service.settings"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_requests_start_no_thread_and_return_their_connections(subprocess_env):
    ours = _drive(subprocess_env, "async_service.asgi")
    django_own = _drive(subprocess_env, "django.core.asgi")

    assert ours["statuses"] == django_own["statuses"] == [200]
    assert ours["threads"] == []
    assert len(django_own["threads"]) >= 20  # what the async service no longer pays for
    assert ours["in_use"] == 0
