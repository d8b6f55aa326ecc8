"""System checks of the async service, registered by its AppConfig so that
`manage.py check --deploy` runs them with these settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

ASYNC_EQUIVALENTS = {
    "security.W001": "async_service.middleware.AsyncSecurityMiddleware",
    "security.W002": "async_service.middleware.AsyncXFrameOptionsMiddleware",
}


@register("security", deploy=True)
def silenced_security_checks_have_equivalents(**kwargs: Any) -> list[Error]:
    """This service silences Django's "middleware missing" warnings: allowed only while
    it runs the inline async equivalent of that middleware, and the CSRF one only while
    no view it serves can be reached with a session cookie."""
    errors = []
    silenced = set(getattr(settings, "SILENCED_SYSTEM_CHECKS", ()))
    for check_id, replacement in ASYNC_EQUIVALENTS.items():
        if check_id in silenced and replacement not in settings.MIDDLEWARE:
            errors.append(
                Error(
                    f"{check_id} is silenced but {replacement} is not in MIDDLEWARE",
                    id="fashionistar.E001",
                )
            )
    if "security.W003" in silenced and (
        "django.contrib.sessions.middleware.SessionMiddleware" in settings.MIDDLEWARE
    ):
        errors.append(
            Error(
                "security.W003 is silenced in a deployable that uses sessions",
                id="fashionistar.E002",
            )
        )
    return errors
