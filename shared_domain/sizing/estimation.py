"""Body measurements from a photo: the interface an estimator implements, and the
one the settings select (MEASUREMENT_ESTIMATOR, a dotted path to a class).

The platform ships no estimator: no pose or segmentation model could be installed
from a package that carries its model file and runs on every Python the platform
supports (see README, "Photo measurements"). With none configured, uploads are
refused (503 `estimator_unavailable`) and a measurement whose task finds none fails
with that reason; nothing is ever guessed.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string
from PIL import Image

_REASON = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclasses.dataclass(frozen=True, slots=True)
class Estimate:
    """One measurement: cm, and its uncertainty (one standard deviation, cm)."""

    value_cm: float
    uncertainty_cm: float


class EstimationFailed(Exception):
    """The photo cannot be measured (`reason`: a short code the API shows, e.g.
    `no_person_found`, `body_not_fully_visible`)."""

    def __init__(self, reason: str) -> None:
        if not _REASON.match(reason):
            raise ValueError(f"not a reason code: {reason!r}")
        self.reason = reason
        super().__init__(reason)


@runtime_checkable
class Estimator(Protocol):
    """Estimates circumferences and lengths of a body from one upright full-body photo
    (RGB, no metadata) and the person's stated height. Returns any of `chest`, `waist`,
    `hips`, `inseam`, `shoulder`; raises EstimationFailed when the photo cannot be
    measured. Runs in a worker (queue `ai`), may be slow, must not reach the network."""

    def estimate(self, *, image: Image.Image, height_cm: Decimal) -> Mapping[str, Estimate]: ...


def estimator_path() -> str:
    return str(settings.MEASUREMENT_ESTIMATOR or "").strip()


def estimator_get() -> Estimator | None:
    """The configured estimator, or None when none is."""
    path = estimator_path()
    return _load(path) if path else None


@functools.cache
def _load(path: str) -> Estimator:
    estimator = import_string(path)()
    if not isinstance(estimator, Estimator):
        raise TypeError(f"MEASUREMENT_ESTIMATOR={path!r} has no estimate() method")
    return estimator
