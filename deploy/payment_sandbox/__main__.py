"""`python -m deploy.payment_sandbox --port 8004`: the sandbox as a small threaded
HTTP server. Keys and URLs come from the same environment as the application
(PAYSTACK_SECRET_KEY, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET) plus
SANDBOX_CALLBACK_BASE (the ingress) and SANDBOX_PUBLIC_URL (for browsers)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from socketserver import ThreadingMixIn
from types import FrameType
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from deploy.payment_sandbox.app import Sandbox, SandboxConfig


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        line = format % args
        logging.getLogger("payment_sandbox").info("%s %s", self.address_string(), line)


def config_from_env(port: int) -> SandboxConfig:
    def need(name: str) -> str:
        value = os.environ.get(name, "")
        if not value:
            sys.exit(f"payment sandbox: {name} is not set")
        return value

    return SandboxConfig(
        paystack_secret_key=need("PAYSTACK_SECRET_KEY"),
        stripe_secret_key=need("STRIPE_SECRET_KEY"),
        stripe_webhook_secret=need("STRIPE_WEBHOOK_SECRET"),
        callback_base=need("SANDBOX_CALLBACK_BASE").rstrip("/"),
        public_url=os.environ.get("SANDBOX_PUBLIC_URL", f"http://127.0.0.1:{port}").rstrip("/"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="payment_sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8004")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s payment-sandbox %(message)s")
    app = Sandbox(config_from_env(args.port))
    server = make_server(
        args.host, args.port, app, server_class=_Server, handler_class=_QuietHandler
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    logging.getLogger("payment_sandbox").info("listening on http://%s:%d", args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
