"""Chart scoring without the database: in-range fits, between sizes, missing
measurements, fit preference, ease and the garment's cut."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shared_domain.sizing.errors import NoUsableMeasurements
from shared_domain.sizing.scoring import SizeRange, chart_score

CHART = [
    SizeRange("S", {"chest": (D(84), D(88)), "waist": (D(68), D(72)), "hips": (D(90), D(94))}),
    SizeRange("M", {"chest": (D(88), D(96)), "waist": (D(72), D(80)), "hips": (D(94), D(102))}),
    SizeRange("L", {"chest": (D(96), D(104)), "waist": (D(80), D(88)), "hips": (D(102), D(110))}),
]


def body(chest=None, waist=None, hips=None, inseam=None, shoulder=None):
    return {"chest": chest, "waist": waist, "hips": hips, "inseam": inseam, "shoulder": shoulder}


def test_a_body_inside_one_size_gets_it_with_high_confidence():
    result = chart_score(body=body(D(92), D(76), D(98)), sizes=CHART)
    assert result.size == "M"
    assert result.confidence >= 0.9
    assert all(a.confidence < result.confidence for a in result.alternatives)
    assert "chest, hips, waist" in result.reason


def test_spec_example_body_gets_m_with_l_as_a_weaker_alternative():
    result = chart_score(body=body(D(92), D(76), D(100)), sizes=CHART)
    assert result.size == "M"
    assert [a.size for a in result.alternatives][:1] == ["L"]


def test_between_sizes_a_regular_fit_sizes_up_and_says_so():
    result = chart_score(body=body(chest=D(96)), sizes=CHART)
    assert result.size == "L"
    assert "between M and L" in result.reason
    assert result.alternatives[0].size == "M"


def test_between_sizes_a_slim_preference_takes_the_smaller_size():
    result = chart_score(body=body(chest=D(96)), sizes=CHART, fit_preference="slim")
    assert result.size == "M"
    assert "between M and L" in result.reason
    assert "closer" in result.reason


def test_a_loose_preference_moves_a_body_high_in_a_range_to_the_next_size():
    edge = body(chest=D(95), waist=D(79), hips=D(101))
    assert chart_score(body=edge, sizes=CHART, fit_preference="slim").size == "M"
    assert chart_score(body=edge, sizes=CHART, fit_preference="loose").size == "L"


def test_missing_measurements_are_ignored_and_lower_the_confidence():
    full = chart_score(body=body(D(92), D(76), D(98)), sizes=CHART)
    chest_only = chart_score(body=body(chest=D(92)), sizes=CHART)
    assert chest_only.size == "M"
    assert chest_only.confidence < full.confidence
    assert "chest measurement," in chest_only.reason


def test_measurements_the_chart_lacks_are_ignored():
    result = chart_score(body=body(chest=D(92), inseam=D(80), shoulder=D(45)), sizes=CHART)
    assert result.size == "M"


def test_no_measurement_in_common_with_the_chart_is_a_clear_error():
    with pytest.raises(NoUsableMeasurements) as caught:
        chart_score(body=body(inseam=D(80)), sizes=CHART)
    assert caught.value.http_status == 400
    assert "chest" in caught.value.details["measurements"][0]


def test_ease_takes_the_garment_room_off_the_ranges():
    # Garment chest 96-104 less 8 cm of ease fits a body of 88-96.
    assert chart_score(body=body(chest=D(92)), sizes=CHART, ease_cm=D(8)).size == "L"


def test_a_body_beyond_the_largest_size_gets_it_with_low_confidence():
    result = chart_score(body=body(chest=D(112)), sizes=CHART)
    assert result.size == "L"
    assert result.confidence < 0.5


def test_a_slim_cut_pushes_a_regular_customer_at_the_top_of_a_range_up():
    edge = body(chest=D("95.5"))
    assert chart_score(body=edge, sizes=CHART).size == "M"
    assert chart_score(body=edge, sizes=CHART, fit_type="slim").size == "L"
