"""Object-level authorization shared by both APIs: fetch an object only if the user
owns it (staff may see everything). Anything else is a 404, never a 403, so that ids
of other people's objects reveal nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from shared_domain.common.errors import NotFound


def owned_by[M: Model](queryset: QuerySet[M], *, user: Any, owner_field: str) -> QuerySet[M]:
    if getattr(user, "is_platform_staff", False):
        return queryset
    return queryset.filter(**{owner_field: user})


def owned_or_404[M: Model](
    queryset: QuerySet[M], *, user: Any, owner_field: str, **lookup: Any
) -> M:
    found = owned_by(queryset, user=user, owner_field=owner_field).filter(**lookup).first()
    if found is None:
        raise NotFound()
    return found


async def aowned_or_404[M: Model](
    queryset: QuerySet[M], *, user: Any, owner_field: str, **lookup: Any
) -> M:
    found = await owned_by(queryset, user=user, owner_field=owner_field).filter(**lookup).afirst()
    if found is None:
        raise NotFound()
    return found
