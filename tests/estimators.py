"""Estimators for tests only: they stand in for a pose model so that the upload, task,
polling and confirmation paths run for real. They measure nothing: the "measurements"
are fixed proportions of the stated height."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from PIL import Image

from shared_domain.sizing.estimation import Estimate, EstimationFailed

# What the last estimate call received: (image size, image mode, image info keys, height).
SEEN: list[tuple[tuple[int, int], str, frozenset[int], Decimal]] = []


class ProportionEstimator:
    def estimate(self, *, image: Image.Image, height_cm: Decimal) -> Mapping[str, Estimate]:
        SEEN.append((image.size, image.mode, frozenset(image.getexif()), height_cm))
        h = float(height_cm)
        return {
            "chest": Estimate(h * 0.53, 4.0),
            "waist": Estimate(h * 0.45, 5.0),
            "hips": Estimate(h * 0.56, 4.5),
            "inseam": Estimate(h * 0.45, 2.5),
            "shoulder": Estimate(h * 0.26, 2.0),
        }


class NoPersonEstimator:
    def estimate(self, *, image: Image.Image, height_cm: Decimal) -> Mapping[str, Estimate]:
        raise EstimationFailed("no_person_found")


class ImplausibleEstimator:
    def estimate(self, *, image: Image.Image, height_cm: Decimal) -> Mapping[str, Estimate]:
        return {"chest": Estimate(900.0, 1.0), "waist": Estimate(80.0, float("nan"))}


class BrokenEstimator:
    def estimate(self, *, image: Image.Image, height_cm: Decimal) -> Mapping[str, Estimate]:
        raise RuntimeError("the model crashed")
