"""Run the async service under uvicorn with the project's JSON logging.

Environment: ASYNC_HOST (0.0.0.0), ASYNC_PORT (8002), WEB_CONCURRENCY (1),
FORWARDED_ALLOW_IPS (127.0.0.1), UVICORN_GRACEFUL_TIMEOUT (20 s), LOG_LEVEL.
"""

from __future__ import annotations

import os
import shutil
import tempfile


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "async_service.settings")
    workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
    own_metrics_dir = workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if own_metrics_dir:
        # Several processes: Prometheus samples go to files /metrics aggregates.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
            prefix="fashionistar-async-metrics-"
        )

    try:
        _serve(workers)
    finally:
        if own_metrics_dir:
            shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def _serve(workers: int) -> None:
    import uvicorn

    from shared_domain.common.logging import logging_config

    uvicorn.run(
        "async_service.asgi:application",
        host=os.environ.get("ASYNC_HOST", "0.0.0.0"),  # noqa: S104 - containers listen on all # nosec B104
        port=int(os.environ.get("ASYNC_PORT", "8002")),
        workers=workers,
        lifespan="off",  # Django has no lifespan handlers
        access_log=False,  # RequestContextMiddleware writes one line per request
        log_config=logging_config(
            level=os.environ.get("LOG_LEVEL", "INFO").upper(), service="async"
        ),
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_graceful_shutdown=int(os.environ.get("UVICORN_GRACEFUL_TIMEOUT", "20")),
        server_header=False,
    )


if __name__ == "__main__":
    main()
