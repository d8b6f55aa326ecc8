"""Entry point of the worker deployable: `python -m worker_service` (or
`fashionistar-worker`). Options override the WORKER_* environment variables."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Protocol


class RunnableWorker(Protocol):
    worker_id: str

    def install_signal_handlers(self) -> None: ...

    def run(self) -> int: ...

    def is_alive(self, *, stale_after: float) -> bool: ...


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worker_service.settings")
    import django

    django.setup()
    from django.conf import settings

    from shared_domain.common import tracing

    tracing.configure("worker")

    from worker_service.health_server import HealthServer

    parser = argparse.ArgumentParser(prog="fashionistar-worker", description=__doc__)
    parser.add_argument(
        "--queues",
        default=",".join(settings.WORKER_QUEUES),
        help="comma-separated queues to consume (default: %(default)s)",
    )
    parser.add_argument("--concurrency", type=int, default=settings.WORKER_CONCURRENCY)
    parser.add_argument("--poll-interval", type=float, default=settings.WORKER_POLL_INTERVAL)
    parser.add_argument(
        "--scheduler",
        action=argparse.BooleanOptionalAction,
        default=settings.WORKER_SCHEDULER,
        help="also run the periodic-job scheduler (default: %(default)s)",
    )
    parser.add_argument(
        "--relay",
        action=argparse.BooleanOptionalAction,
        default=settings.WORKER_OUTBOX_RELAY,
        help="also run the event outbox relay (default: %(default)s)",
    )
    parser.add_argument("--health-host", default=settings.WORKER_HEALTH_HOST)
    parser.add_argument(
        "--health-port", type=int, default=settings.WORKER_HEALTH_PORT, help="0 disables it"
    )
    parser.add_argument(
        "--worker-id",
        default=None,
        help="a fixed id (at most 64 characters; default: hostname-pid-random). Tasks "
        "still RUNNING under it are taken to be left by a dead earlier run and handed back",
    )
    parser.add_argument("--max-tasks", type=int, default=None, help="exit after N tasks")
    args = parser.parse_args(argv)

    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(queues) - set(settings.TASK_QUEUES))
    if unknown or not queues:
        parser.error(
            f"unknown queue(s) {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(settings.TASK_QUEUES)}"
        )
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    if args.worker_id is not None and not 0 < len(args.worker_id) <= 64:
        parser.error("--worker-id must be 1 to 64 characters")

    if settings.TASKS_BACKEND == "rq":
        from worker_service.rq_runner import RQWorkerProcess

        worker: RunnableWorker = RQWorkerProcess(
            queues=queues,
            concurrency=args.concurrency,
            scheduler=args.scheduler,
            relay=args.relay,
        )
    else:
        from worker_service.runner import Worker

        worker = Worker(
            queues=queues,
            concurrency=args.concurrency,
            poll_interval=args.poll_interval,
            worker_id=args.worker_id,
            scheduler=args.scheduler,
            relay=args.relay,
            max_tasks=args.max_tasks,
        )
    worker.install_signal_handlers()
    server = None
    if args.health_port:
        server = HealthServer(
            (args.health_host, args.health_port),
            worker,
            stale_after=max(60.0, 20 * args.poll_interval),
        )
        server.start_in_background()
    try:
        status = worker.run()
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    sys.exit(status)


if __name__ == "__main__":
    main()
