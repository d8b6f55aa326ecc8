"""gunicorn configuration of the sync service. Every value can be set from the
environment, so the same file serves a laptop, CI and Kubernetes."""

import os
import shutil
import tempfile
from typing import Any

# Multi-process Prometheus: each worker writes its samples to files in this directory
# and /metrics aggregates them. It must be set before prometheus_client is imported.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="fashionistar-sync-metrics-")
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]

from shared_domain.common.logging import logging_config  # noqa: E402

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread, with liveness answered before the thread pool (see the module).
worker_class = "sync_service.gunicorn_worker.LivenessThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# SIGTERM: stop accepting, let in-flight requests finish for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# No recycling by default: under load 5,000 requests went by every few seconds, and each
# restart dropped the worker's warm connections and compiled queries mid-traffic. Set
# it when a leak needs containing.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Several gunicorns may share a host (tests, laptops): no shared control socket.
control_socket_disable = True
accesslog = None  # one access line per request comes from RequestContextMiddleware
logconfig_dict = logging_config(level=os.environ.get("LOG_LEVEL", "INFO").upper(), service="sync")
proc_name = "fashionistar-sync"


def on_starting(server: Any) -> None:
    # Samples of a previous run would be summed into this one.
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def on_exit(server: Any) -> None:
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
