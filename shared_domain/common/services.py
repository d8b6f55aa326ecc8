"""Write operations of the common context."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from shared_domain.common.errors import Conflict, NotFound
from shared_domain.common.models import DeadLetter
from shared_domain.common.outbox import OUTBOX_QUEUE, handler_redrive
from shared_domain.common.tasking import META_KWARG, AppTask, TaskMeta, enqueue_linked


class AlreadyRedriven(Conflict):
    code = "already_redriven"
    default_message = "This dead letter has already been re-driven."


@transaction.atomic
def dead_letter_redrive(*, dead_letter_id: int, by_user_id: int | None = None) -> str:
    """Enqueue the dead task again, with its original arguments and a fresh retry
    budget, as the next attempt of the same logical task (so its status, read by the
    original id, follows it). Returns the new task id. A dead-lettered event handler
    is made pending again on its event (returns `event-<id>`). A letter is re-driven
    at most once."""
    letter = DeadLetter.objects.select_for_update().filter(pk=dead_letter_id).first()
    if letter is None:
        raise NotFound(f"No dead letter {dead_letter_id}.")
    if letter.redriven_at is not None:
        raise AlreadyRedriven(details={"redriven_task_id": letter.redriven_task_id})
    if letter.queue_name == OUTBOX_QUEUE:
        new_id = handler_redrive(letter)
    else:
        new_id = _task_redrive(letter)
    letter.redriven_at = timezone.now()
    letter.redriven_task_id = new_id
    letter.redriven_by_id = by_user_id
    letter.save(update_fields=["redriven_at", "redriven_task_id", "redriven_by"])
    return new_id


def _task_redrive(letter: DeadLetter) -> str:
    task = import_string(letter.task_path)
    if isinstance(task, AppTask):
        task = task.using(queue_name=letter.queue_name)
    attempt = letter.attempts + 1
    meta = TaskMeta(
        request_id=letter.request_id or None,
        attempt=attempt,
        root_id=letter.root_task_id,
        first_attempt=attempt,
    )
    kwargs = {**letter.kwargs, META_KWARG: meta.as_kwarg()}
    result = enqueue_linked(
        task, letter.args, kwargs, root_id=letter.root_task_id, attempt=attempt
    )
    return str(result.id)
