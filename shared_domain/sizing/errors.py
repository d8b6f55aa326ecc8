from __future__ import annotations

from shared_domain.common.errors import (
    Conflict,
    DomainError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)


class NoSizeChart(NotFound):
    code = "no_size_chart"
    default_message = "This product has no size chart."


class NoBodyProfile(NotFound):
    code = "no_body_profile"
    default_message = "You have not saved a body profile yet."


class NoMeasurements(ValidationFailed):
    code = "no_measurements"
    default_message = (
        "Give your measurements in the query string (e.g. chest_cm, waist_cm) or save a "
        "body profile first."
    )


class NoUsableMeasurements(ValidationFailed):
    code = "no_usable_measurements"
    default_message = "None of the measurements given is one this product's size chart uses."


class PhotoTooLarge(DomainError):
    code = "photo_too_large"
    http_status = 413
    default_message = "The photo is larger than the limit."


class PhotoUnusable(ValidationFailed):
    code = "unusable_photo"
    default_message = "The photo cannot be used for measurements."


class EstimatorUnavailable(ServiceUnavailable):
    code = "estimator_unavailable"
    default_message = (
        "Measurements from photos are not available: no estimator is installed. "
        "Enter your measurements in your body profile instead."
    )


class MeasurementNotReady(Conflict):
    code = "measurement_not_ready"
    default_message = "Only a measurement that is done can be confirmed."


class BodyProfileRequired(ValidationFailed):
    code = "body_profile_required"
    default_message = "Save a body profile with your measurements to search what fits you."
