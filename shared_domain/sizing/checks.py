"""System checks of sizing: a configured estimator must at least be importable, so a
typo in MEASUREMENT_ESTIMATOR fails `manage.py check` at deploy rather than every
measurement in the workers. (It is not instantiated here: that may load a model.)"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.utils.module_loading import import_string


def estimator_importable(**kwargs: Any) -> list[CheckMessage]:
    path = str(settings.MEASUREMENT_ESTIMATOR or "").strip()
    if not path:
        return []
    try:
        estimator = import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"MEASUREMENT_ESTIMATOR={path!r} cannot be imported: {exc}",
                hint="Name a class implementing shared_domain.sizing.estimation.Estimator, "
                "or leave it empty.",
                id="sizing.E001",
            )
        ]
    if not callable(getattr(estimator, "estimate", None)):
        return [
            Error(
                f"MEASUREMENT_ESTIMATOR={path!r} has no estimate() method.",
                id="sizing.E002",
            )
        ]
    return []
