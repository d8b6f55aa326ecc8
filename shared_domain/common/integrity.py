"""What a failed write broke, for services that turn a constraint into a domain error."""

from __future__ import annotations

from django.db import IntegrityError


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint a failed insert or update broke (PostgreSQL)."""
    return getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
