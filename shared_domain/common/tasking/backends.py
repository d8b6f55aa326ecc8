"""What differs between the task backends (django-tasks-db and django-tasks-rq)."""

from __future__ import annotations

import contextlib

from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

# Wakes idle database workers when a task becomes ready to run now: a trigger on the
# task table NOTIFYs this channel (migration common 0004); the worker LISTENs.
NOTIFY_CHANNEL = "fashionistar_tasks"


def backend_supports_priority() -> bool:
    return bool(getattr(task_backends[DEFAULT_TASK_BACKEND_ALIAS], "supports_priority", False))


def is_database_backend(backend: object) -> bool:
    """The database backend writes tasks in the caller's transaction."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def discard_rq_job(job_id: str) -> None:
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.exceptions import NoSuchJobError

    with contextlib.suppress(NoSuchJobError):
        Job.fetch(job_id, connection=django_rq.get_connection()).delete()
