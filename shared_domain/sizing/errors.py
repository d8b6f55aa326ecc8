from __future__ import annotations

from shared_domain.common.errors import NotFound, ValidationFailed


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


class BodyProfileRequired(ValidationFailed):
    code = "body_profile_required"
    default_message = "Save a body profile with your measurements to search what fits you."
