"""The system check of MEASUREMENT_ESTIMATOR: a configured path must import."""

from __future__ import annotations

from shared_domain.sizing.checks import estimator_importable


def test_no_estimator_or_an_importable_one_passes(settings):
    settings.MEASUREMENT_ESTIMATOR = ""
    assert estimator_importable() == []
    settings.MEASUREMENT_ESTIMATOR = "tests.estimators.ProportionEstimator"
    assert estimator_importable() == []


def test_a_path_that_does_not_import_or_estimate_is_an_error(settings):
    settings.MEASUREMENT_ESTIMATOR = "tests.estimators.NoSuchEstimator"
    assert [m.id for m in estimator_importable()] == ["sizing.E001"]
    settings.MEASUREMENT_ESTIMATOR = "tests.images.photo_bytes"
    assert [m.id for m in estimator_importable()] == ["sizing.E002"]
