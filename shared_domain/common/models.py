"""Records of the shared mechanisms: events, task lineage, dead letters, worker
heartbeats, the scheduler's ticks and idempotency keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import JSONField, Value
from django.db.models.functions import Now
from django.utils import timezone


class EventRecord(models.Model):
    """A published domain event and the outbox entry of its handlers: written in the
    publisher's transaction (a rolled-back event leaves no record), dispatched after
    the commit, or by the worker's relay when the publisher could not (see
    shared_domain.common.outbox)."""

    event_type = models.CharField(max_length=100)
    payload = models.JSONField()
    request_id = models.CharField(max_length=128, blank=True, default="")
    occurred_at = models.DateTimeField(default=timezone.now)
    # Keys of the handlers still to run (empty once dispatched).
    pending_handlers = models.JSONField(
        default=list, db_default=Value([], JSONField()), blank=True
    )
    # When the relay may take the record: a grace period after publishing, then the
    # retry backoff after a failed dispatch. Null once dispatched.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The database default stands for rows written by code older than the outbox (it
    # ran their handlers in-process): they count as dispatched. The outbox always
    # writes this column itself.
    dispatched_at = models.DateTimeField(null=True, blank=True, db_default=Now())
    attempts = models.PositiveIntegerField(default=0, db_default=0)
    last_error = models.TextField(blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["event_type", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
            models.Index(fields=["request_id"]),
            # The relay's scan: only undispatched rows are in it, so it stays tiny.
            models.Index(
                fields=["next_attempt_at"],
                name="eventrecord_outbox_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class TaskLink(models.Model):
    """Links a task result to the logical task it belongs to: retries get new result
    ids, all pointing at the first one (`root_id`). Also records who started a task
    on a user's behalf, which decides who may read its status."""

    task_id = models.CharField(max_length=64, primary_key=True)
    root_id = models.CharField(max_length=64, db_index=True)
    attempt = models.PositiveIntegerField(default=1)
    task_path = models.CharField(max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["root_id", "attempt"], name="tasklink_root_attempt"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} (attempt {self.attempt} of {self.root_id})"


class DeadLetter(models.Model):
    """A task that failed for good: retries exhausted, a permanent error, workers kept
    dying while running it, or its retry could not be enqueued. Staff can re-drive it
    (admin action or `manage.py redrive_dead_letters`)."""

    class Reason(models.TextChoices):
        EXHAUSTED = "exhausted", "Retries exhausted"
        PERMANENT = "permanent", "Permanent error"
        CRASHED = "crashed", "Worker died repeatedly"
        RETRY_FAILED = "retry_failed", "Retry could not be enqueued"

    task_path = models.CharField(max_length=255)
    queue_name = models.CharField(max_length=32)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    root_task_id = models.CharField(max_length=64)
    last_task_id = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    error_class = models.CharField(max_length=255)
    error_message = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    request_id = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    redriven_at = models.DateTimeField(null=True, blank=True)
    redriven_task_id = models.CharField(max_length=64, blank=True)
    redriven_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["task_path", "created_at"]),
            models.Index(
                fields=["created_at"],
                name="deadletter_pending_idx",
                condition=models.Q(redriven_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_path} ({self.get_reason_display()})"


class WorkerHeartbeat(models.Model):
    """A worker process's lease: refreshed every few seconds while it lives. Tasks
    RUNNING under a worker whose lease ran out are handed to another worker."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.JSONField(default=list)
    concurrency = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class ScheduleState(models.Model):
    """The last tick each periodic job fired for, so a restart never fires a tick twice."""

    name = models.CharField(max_length=100, primary_key=True)
    last_tick = models.DateTimeField()
    last_fired_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """Marks a unit of work as done, committed together with the work itself."""

    key = models.CharField(max_length=255, primary_key=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key


class AuditLog(models.Model):
    """Sensitive actions: who did what to what, from where, under which request."""

    action = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["action", "created_at"]),
            models.Index(fields=["actor", "created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"
