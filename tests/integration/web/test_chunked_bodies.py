"""Request bodies sent with `Transfer-Encoding: chunked` (no Content-Length), through a
real gunicorn: v1 reads them like any other body, within MAX_REQUEST_BODY_BYTES."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator

import httpx
import pytest

from deploy.localstack.backing import REPO_ROOT
from deploy.localstack.procs import ManagedProcess, free_port

pytestmark = pytest.mark.e2e

MAX_BODY = 4096


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    run_dir = tmp_path_factory.mktemp("gunicorn")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    server = ManagedProcess(
        "sync (gunicorn)",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "sync_service/gunicorn_conf.py",
            "sync_service.wsgi:application",
        ],
        # The test settings mount the probe endpoints, which need no database.
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "MAX_REQUEST_BODY_BYTES": str(MAX_BODY),
            "PROMETHEUS_MULTIPROC_DIR": str(run_dir / "metrics"),
        },
        health_url=f"http://127.0.0.1:{port}/api/v1/healthz",
        log_path=run_dir / "gunicorn.log",
        cwd=REPO_ROOT,
    )
    server.start()
    try:
        server.wait_healthy()
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _chunks(data: bytes, size: int = 7) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _post_chunked(base_url: str, data: bytes) -> httpx.Response:
    # An iterator body has no known length: httpx sends it chunked.
    return httpx.post(
        f"{base_url}/probe/v1/echo",
        content=_chunks(data),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )


def test_a_chunked_body_is_read(gunicorn):
    response = _post_chunked(gunicorn, json.dumps({"name": "chunked", "quantity": 3}).encode())
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 201, response.text
    assert response.json() == {"name": "chunked", "quantity": 3}


def test_a_chunked_body_over_the_limit_is_a_413(gunicorn):
    body = json.dumps({"name": "x", "quantity": 1, "tags": ["y" * 100] * 60}).encode()
    assert len(body) > MAX_BODY
    response = _post_chunked(gunicorn, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["x-request-id"]
    # The connection still serves the next request.
    again = _post_chunked(gunicorn, b'{"name": "after", "quantity": 1}')
    assert again.status_code == 201


def test_an_empty_chunked_body_is_a_validation_error_not_a_crash(gunicorn):
    response = _post_chunked(gunicorn, b"")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"validation_error", "malformed_json"}
