from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from async_service.api.accounts_schemas import StrictIn

FitPreference = Literal["slim", "regular", "loose"]


class BrandSizeIn(StrictIn):
    brand: str = Field(description="The brand, as its labels spell it (1 to 100 characters).")
    system: str = Field(description="letter, uk, us, eu or ng.")
    size: str = Field(description='e.g. "M", "12", "40".')


class BrandSizeOut(Schema):
    brand: str
    system: str
    size: str


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
    brand_sizes: list[BrandSizeIn] | None = Field(
        None,
        description="Sizes you wear in other brands (at most 10): used, converted to the "
        "product's size system, when the profile has no measurement.",
    )


class BodyProfileOut(Schema):
    height_cm: float | None
    weight_kg: float | None
    chest_cm: float | None
    waist_cm: float | None
    hips_cm: float | None
    inseam_cm: float | None
    shoulder_cm: float | None
    fit_preference: str
    brand_sizes: list[BrandSizeOut]
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


class ConvertQuery(Schema):
    system: str = Field(description="letter, uk, us, eu or ng.")
    size: str = Field(max_length=10)
    to: str = Field(description="letter, uk, us, eu or ng.")
    garment: str = Field(
        "women_tops", description="women_tops, women_bottoms, men_tops or men_bottoms."
    )


class ConvertOut(Schema):
    garment: str
    system: str
    size: str
    to: str
    sizes: list[str] = Field(description="Equivalent sizes, smallest first (a letter "
                             "covers several numbers).")  # fmt: skip
