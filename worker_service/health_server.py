"""The worker's own small HTTP port: /healthz (liveness), /readyz (DB + Redis) and
/metrics (task counters, queue depth per queue, outbox lag). Not behind the ingress."""

from __future__ import annotations

import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from django.db import connections
from prometheus_client import CONTENT_TYPE_LATEST

from shared_domain.common import health
from shared_domain.common.metrics import render_latest
from shared_domain.common.outbox import OutboxCollector
from shared_domain.common.queues import QueueDepthCollector

logger = logging.getLogger("fashionistar.worker.health")


class Supervised(Protocol):
    worker_id: str

    def is_alive(self, *, stale_after: float) -> bool: ...


class _Handler(BaseHTTPRequestHandler):
    server: HealthServer

    def do_GET(self) -> None:
        try:
            if self.path == "/healthz":
                self._healthz()
            elif self.path == "/readyz":
                self._readyz()
            elif self.path == "/metrics":
                self._send(
                    HTTPStatus.OK,
                    render_latest([QueueDepthCollector(), OutboxCollector()]),
                    CONTENT_TYPE_LATEST,
                )
            else:
                self._json(
                    HTTPStatus.NOT_FOUND, _error("not_found", "No route matches this path.")
                )
        finally:
            # Each request thread opened its own DB connection; give it back.
            connections.close_all()

    def _healthz(self) -> None:
        worker = self.server.worker
        if worker.is_alive(stale_after=self.server.stale_after):
            self._json(
                HTTPStatus.OK, {"status": "ok", "service": "worker", "worker_id": worker.worker_id}
            )
        else:
            self._json(
                HTTPStatus.SERVICE_UNAVAILABLE,
                _error(
                    "not_alive", "The worker loop has stalled.", {"worker_id": worker.worker_id}
                ),
            )

    def _readyz(self) -> None:
        result = health.readiness()
        if result.ready:
            self._json(HTTPStatus.OK, result.body("worker"))
        else:
            self._json(
                HTTPStatus.SERVICE_UNAVAILABLE,
                _error("not_ready", "A dependency of this service is unavailable.", result.checks),
            )

    def _json(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: HTTPStatus, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        # Probe traffic would drown the task log; failures are logged where they happen.
        return


def _error(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


class HealthServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], worker: Supervised, *, stale_after: float
    ) -> None:
        super().__init__(address, _Handler)
        self.worker = worker
        self.stale_after = stale_after

    def start_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="worker-health", daemon=True)
        thread.start()
        host, port = self.server_address[:2]
        logger.info("worker health on http://%s:%s", host, port, extra={"port": port})
        return thread
