"""gunicorn's gthread worker, with liveness answered by the worker's main thread.

A gthread worker hands each connection to a pool of GUNICORN_THREADS threads. When
every thread waits on PostgreSQL (a lock held, a pool exhausted, a slow query), a
liveness probe queued behind them times out and Kubernetes restarts a process that
was only waiting: a database hiccup would become a restart storm. This worker peeks
at each connection before it goes to the pool: a bodiless `GET`/`HEAD` of
`/api/v1/healthz` is answered on the main thread (which never touches the database),
with the bytes Django itself gives the probe, rendered once per process. Every
other request goes to the pool as before.

Connections also wait for their first bytes on the main thread's poller rather than in
a pool thread, so that a probe on a new connection is seen before it queues.
"""

from __future__ import annotations

import errno
import io
import re
import selectors
import socket
import sys
import time
from collections.abc import Callable
from email.utils import formatdate
from functools import partial
from typing import Any

import gunicorn  # type: ignore[import-untyped]
from gunicorn.workers.gthread import TConn, ThreadWorker  # type: ignore[import-untyped]

from shared_domain.common.context import clean_request_id

LIVENESS_PATH = "/api/v1/healthz"
_REQUEST_LINE = re.compile(rb"^(GET|HEAD) (/api/v1/healthz)(\?[^ ]*)? HTTP/1\.[01]\r\n")
_PEEK_BYTES = 8192
_PROBE_HEADERS_MAX = 4096  # a probe is small; anything bigger goes the normal way


class LivenessThreadWorker(ThreadWorker):
    _liveness: tuple[str, list[tuple[str, str]], bytes] | None = None

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self._liveness = self._render_liveness()

    def _render_liveness(self) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """Django's own answer to the probe: status, headers and body."""
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        host = _probe_host()
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": LIVENESS_PATH,
            "QUERY_STRING": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        result = self.wsgi(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close: Callable[[], None] | None = getattr(result, "close", None)
            if close is not None:
                close()
        skip = {"x-request-id", "connection", "content-length", "date", "server"}
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in skip]
        if not captured["status"].startswith("200"):
            self.log.warning("liveness answered %s at start: left to the threads", captured)
            return None
        return captured["status"], headers, body

    # -- connections wait for data on the poller, then are peeked at --------------
    def accept(self, listener: socket.socket) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

    def enqueue_req(self, conn: Any) -> None:
        # Bytes already buffered by the parser (a pipelined request) are not peekable.
        buffered = conn.parser is not None and conn.parser.unreader.buf.getvalue()
        if not buffered and self._answer_liveness(conn):
            return
        super().enqueue_req(conn)

    def _answer_liveness(self, conn: Any) -> bool:
        """Answer a liveness probe waiting on `conn` and close it; False (nothing
        read) for anything else."""
        if self._liveness is None or self.cfg.is_ssl:
            return False
        try:
            peeked = conn.sock.recv(_PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return False
        match = _REQUEST_LINE.match(peeked)
        end = peeked.find(b"\r\n\r\n")
        if match is None or end < 0 or end > _PROBE_HEADERS_MAX:
            return False
        head = peeked[: end + 4]
        request_id = ""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            key = name.strip().lower()
            if key in (b"content-length", b"transfer-encoding") and value.strip() not in (
                b"0",
                b"",
            ):
                return False  # a body: not a probe
            if key == b"x-request-id":
                request_id = value.strip().decode("latin-1")
        status, headers, body = self._liveness
        lines = [f"HTTP/1.1 {status}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines += [
            f"Server: {gunicorn.SERVER}",
            f"Date: {formatdate(usegmt=True)}",
            f"Content-Length: {len(body)}",
            f"X-Request-ID: {clean_request_id(request_id)}",
            "Connection: close",
        ]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if match.group(1) == b"GET":
            payload += body
        try:
            conn.sock.recv(len(head))  # take the request off the socket
            conn.sock.setblocking(True)
            conn.sock.settimeout(1.0)  # a small answer: the socket buffer takes it
            conn.sock.sendall(payload)
        except OSError:
            pass
        self.nr_conns -= 1
        conn.close()
        return True


def _probe_host() -> str:
    """A Host the settings accept, for rendering the probe's answer."""
    from django.conf import settings

    for pattern in settings.ALLOWED_HOSTS:
        if pattern and pattern != "*":
            return str(pattern).lstrip(".")
    return "localhost"
