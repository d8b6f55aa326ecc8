"""The audit trail of sensitive actions (logins, password changes, role changes,
payment state changes, refunds, staff edits). Request facts (IP, user agent,
request id) come from the request context, so callers only say what happened."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import models

from shared_domain.common import context
from shared_domain.common.models import AuditLog


def audit_record(
    *,
    action: str,
    actor_id: int | None = None,
    subject: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        action=action,
        actor_id=actor_id,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        ip_address=_ip_or_none(context.client_ip.get()),
        user_agent=context.user_agent.get()[:255],
        request_id=context.request_id.get() or "",
        data=data or {},
    )


def _ip_or_none(address: str | None) -> str | None:
    """The peer as the server saw it, when it is an IP address: a server behind a Unix
    socket or an in-process client (a test client's "testclient") gives none, and the
    audit row must not fail the request for it."""
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
