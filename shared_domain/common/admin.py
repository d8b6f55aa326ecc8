from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from shared_domain.common.audit import audit_record
from shared_domain.common.errors import DomainError
from shared_domain.common.models import (
    AuditLog,
    DeadLetter,
    EventRecord,
    ScheduleState,
    WorkerHeartbeat,
)
from shared_domain.common.services import dead_letter_redrive


class AuditedAdmin(admin.ModelAdmin):
    """Staff edits and deletions through the admin land in the audit log."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="staff_edit" if change else "staff_create",
            actor_id=request.user.pk,
            subject=obj,
            data={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(action="staff_delete", actor_id=request.user.pk, subject=obj)
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EventRecord)
class EventRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at", "event_type", "request_id", "dispatched_at", "attempts", "next_attempt_at"
    )  # fmt: skip
    list_filter = ("event_type", ("dispatched_at", admin.EmptyFieldListFilter))
    search_fields = ("request_id",)
    date_hierarchy = "occurred_at"


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "task_path", "queue_name", "reason", "attempts", "redriven_at")
    list_filter = ("reason", "queue_name", "task_path")
    search_fields = ("task_path", "error_class", "root_task_id", "request_id")
    actions = ("redrive",)

    @admin.action(description="Re-drive the selected dead letters")
    def redrive(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        done = 0
        for letter in queryset.filter(redriven_at__isnull=True):
            try:
                dead_letter_redrive(dead_letter_id=letter.pk, by_user_id=request.user.pk)
            except DomainError as exc:
                self.message_user(request, f"{letter}: {exc.message}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, f"Re-drove {done} dead letter(s).", messages.SUCCESS)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("worker_id", "hostname", "pid", "concurrency", "started_at", "last_seen_at")


@admin.register(ScheduleState)
class ScheduleStateAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_tick", "last_fired_at", "last_task_id")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "subject_type", "subject_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("subject_id", "request_id", "ip_address")
    date_hierarchy = "created_at"
