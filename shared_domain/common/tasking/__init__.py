"""Background tasks on Django's `django.tasks` API, with what it leaves out.

Define tasks with `app_task` instead of `django.tasks.task`:

    @app_task(queue="emails", max_retries=5)
    def send_receipt(*, order_id: int, attempt: int) -> None: ...

    send_receipt.enqueue(order_id=7)          # the plain django.tasks API

On top of `django.tasks` this gives every task:

- the queue's priority (settings.TASK_QUEUES), or none on backends without
  priorities (RQ), where queues isolate work instead;
- the request id of whoever enqueued it, carried into the task's log lines;
- retries: a failing run is re-enqueued with `run_after` after 60 s, 120 s, 240 s
  (`TASK_RETRY_BASE_DELAY` doubles per attempt) up to `max_retries` times. Errors that
  cannot heal (`PermanentTaskError`, `ObjectDoesNotExist`, or the task's own
  `permanent=`) are not retried. The attempt number is passed to tasks that take an
  `attempt` keyword argument (and is in `context.task_attempt`). Each retry is linked
  to the first run (`TaskLink`) in the same step as it is enqueued;
- a `DeadLetter` once it has failed for good (or its retry could not be enqueued),
  which staff can re-drive;
- Prometheus counters per queue and task (enqueued, started, succeeded, failed,
  retried, dead-lettered) and a duration histogram.

Tasks are at-least-once: keep them idempotent (see `shared_domain.common.idempotency`).
"""

from __future__ import annotations

from shared_domain.common.tasking.backends import (
    NOTIFY_CHANNEL,
    backend_supports_priority,
    is_database_backend,
)
from shared_domain.common.tasking.dead_letters import dead_letter_crashed, dead_letter_record
from shared_domain.common.tasking.definition import AppTask, app_task
from shared_domain.common.tasking.lineage import enqueue_for_user, enqueue_linked, link_task
from shared_domain.common.tasking.meta import META_KWARG, TaskMeta
from shared_domain.common.tasking.retry import DEFAULT_PERMANENT, PermanentTaskError, retry_delay

__all__ = [
    "DEFAULT_PERMANENT",
    "META_KWARG",
    "NOTIFY_CHANNEL",
    "AppTask",
    "PermanentTaskError",
    "TaskMeta",
    "app_task",
    "backend_supports_priority",
    "dead_letter_crashed",
    "dead_letter_record",
    "enqueue_for_user",
    "enqueue_linked",
    "is_database_backend",
    "link_task",
    "retry_delay",
]
