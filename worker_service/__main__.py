"""Entry point of the worker deployable: `python -m worker_service` (or
`fashionistar-worker`). Options override the WORKER_* environment variables."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worker_service.settings")
    import django

    django.setup()
    from django.conf import settings

    from worker_service.health_server import HealthServer
    from worker_service.runner import Worker

    parser = argparse.ArgumentParser(prog="fashionistar-worker", description=__doc__)
    parser.add_argument(
        "--queues",
        default=",".join(settings.WORKER_QUEUES),
        help="comma-separated queues to consume (default: %(default)s)",
    )
    parser.add_argument("--poll-interval", type=float, default=settings.WORKER_POLL_INTERVAL)
    parser.add_argument("--health-host", default=settings.WORKER_HEALTH_HOST)
    parser.add_argument(
        "--health-port", type=int, default=settings.WORKER_HEALTH_PORT, help="0 disables it"
    )
    parser.add_argument("--worker-id", default=None)
    parser.add_argument("--max-tasks", type=int, default=None, help="exit after N tasks")
    args = parser.parse_args(argv)

    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(queues) - set(settings.TASK_QUEUES))
    if unknown:
        parser.error(
            f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(settings.TASK_QUEUES)}"
        )

    worker = Worker(queues=queues, poll_interval=args.poll_interval, worker_id=args.worker_id)
    worker.install_signal_handlers()
    server = None
    if args.health_port:
        server = HealthServer(
            (args.health_host, args.health_port),
            worker,
            stale_after=max(30.0, 20 * args.poll_interval),
        )
        server.start_in_background()
    try:
        worker.run(max_tasks=args.max_tasks)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
