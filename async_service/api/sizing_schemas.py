from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from async_service.api.accounts_schemas import StrictIn

FitPreference = Literal["slim", "regular", "loose"]


class BodyProfileIn(StrictIn):
    """Every measurement is optional (absent = unknown); PUT replaces the whole profile."""

    height_cm: Decimal | None = Field(None, description="50 to 250 cm")
    weight_kg: Decimal | None = Field(None, description="10 to 300 kg")
    chest_cm: Decimal | None = Field(None, description="40 to 200 cm")
    waist_cm: Decimal | None = Field(None, description="35 to 200 cm")
    hips_cm: Decimal | None = Field(None, description="40 to 200 cm")
    inseam_cm: Decimal | None = Field(None, description="20 to 120 cm")
    shoulder_cm: Decimal | None = Field(None, description="20 to 80 cm")
    fit_preference: FitPreference = "regular"


class BodyProfileOut(Schema):
    height_cm: float | None
    weight_kg: float | None
    chest_cm: float | None
    waist_cm: float | None
    hips_cm: float | None
    inseam_cm: float | None
    shoulder_cm: float | None
    fit_preference: str
    updated_at: str


class MeasurementsQuery(Schema):
    chest_cm: Decimal | None = None
    waist_cm: Decimal | None = None
    hips_cm: Decimal | None = None
    inseam_cm: Decimal | None = None
    shoulder_cm: Decimal | None = None
    height_cm: Decimal | None = None
    weight_kg: Decimal | None = None
    fit_preference: FitPreference | None = None


class AlternativeOut(Schema):
    size: str
    confidence: float


class RecommendationOut(Schema):
    size: str
    confidence: float = Field(description="From 0 to 1.")
    alternatives: list[AlternativeOut]
    reason: str


MeasurementName = Literal["chest", "waist", "hips", "inseam", "shoulder"]


class MeasurementStartedOut(Schema):
    id: str
    task_id: str
    status: str


class EstimateOut(Schema):
    value_cm: float
    uncertainty_cm: float = Field(description="One standard deviation, cm.")


class MeasurementOut(Schema):
    id: str
    status: str = Field(description="pending, processing, done or failed")
    height_cm: float
    failure_reason: str | None = Field(
        description="When failed: estimator_unavailable, estimator_error, photo_missing, "
        "expired, no_plausible_measurements, or the estimator's own reason "
        "(e.g. no_person_found)."
    )
    measurements: dict[str, EstimateOut] | None = Field(
        description="When done: chest, waist, hips, inseam and/or shoulder."
    )
    confirmed: list[str]
    created_at: str
    finished_at: str | None
    confirmed_at: str | None
    photo_stored: bool = Field(description="False once the photo has been deleted.")


class MeasurementConfirmIn(StrictIn):
    measurements: list[MeasurementName] | None = Field(
        None, description="Which estimates to copy into the body profile; all when absent."
    )
