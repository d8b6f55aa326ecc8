"""The pure rules of fit: blending votes, the fit verdict, size conversion and body
vectors."""

from __future__ import annotations

import pytest

from shared_domain.common.errors import ValidationFailed
from shared_domain.sizing.blending import BLEND_MAX, Neighbour, blend, neighbour_votes
from shared_domain.sizing.conversion import size_convert, size_known
from shared_domain.sizing.outcomes import fit_verdict
from shared_domain.sizing.vectors import body_vector

LABELS = ["S", "M", "L"]


def test_returns_vote_for_the_size_either_side():
    votes, total = neighbour_votes(labels=LABELS, neighbours=[
        Neighbour(0.0, "M", kept=0, too_small=2, too_large=0),
        Neighbour(0.0, "m", kept=0, too_small=0, too_large=1),
        Neighbour(1.0, "L", kept=2, too_small=0, too_large=0),
        Neighbour(0.0, "XXL", kept=5, too_small=0, too_large=0),  # not on this chart
        Neighbour(0.0, "L", kept=0, too_small=3, too_large=0),  # nothing above L
    ])  # fmt: skip
    assert total == pytest.approx(2 + 1 + 1)
    assert votes == pytest.approx({"S": 0.25, "L": 0.75})


def test_no_neighbours_leave_the_chart_alone():
    chart = {"S": 0.2, "M": 0.9, "L": 0.5}
    mixed = blend(labels=LABELS, chart=chart, neighbours=[])
    assert mixed.weight == 0
    assert mixed.scores == chart


def test_the_neighbours_weight_grows_with_their_votes_up_to_the_cap():
    chart = {"S": 0.2, "M": 0.9, "L": 0.5}
    one = blend(labels=LABELS, chart=chart, neighbours=[Neighbour(0, "L", 1, 0, 0)])
    many = blend(labels=LABELS, chart=chart, neighbours=[Neighbour(0, "L", 1, 0, 0)] * 50)
    assert 0 < one.weight < many.weight < BLEND_MAX
    assert max(one.scores, key=one.scores.__getitem__) == "M"  # one vote: a nudge
    assert max(many.scores, key=many.scores.__getitem__) == "L"


@pytest.mark.parametrize(
    ("kept", "small", "large", "verdict"),
    [
        (2, 1, 0, None),  # too few units
        (10, 0, 0, "true_to_size"),
        (7, 3, 0, "runs_small"),
        (7, 0, 3, "runs_large"),
        (6, 2, 2, "true_to_size"),  # both ways: the chart is not one-sided
        (18, 1, 1, "true_to_size"),
    ],
)
def test_the_fit_verdict(kept, small, large, verdict):
    assert fit_verdict(kept=kept, too_small=small, too_large=large) == verdict


def test_size_conversion_both_ways():
    assert size_convert(garment="women_tops", system="uk", size="12", to="us") == ["8"]
    assert size_convert(garment="women_tops", system="uk", size="12", to="eu") == ["40"]
    assert size_convert(garment="women_tops", system="ng", size="12", to="letter") == ["M"]
    assert size_convert(garment="women_tops", system="letter", size="m", to="uk") == ["12", "14"]
    assert size_convert(garment="men_tops", system="letter", size="L", to="eu") == ["52", "54"]
    assert size_convert(garment="men_bottoms", system="us", size="32", to="eu") == ["48"]
    assert size_known(system="uk", size="12")
    assert not size_known(system="uk", size="13")


@pytest.mark.parametrize(
    ("garment", "system", "size", "to", "field"),
    [
        ("women_tops", "uk", "13", "us", "size"),
        ("women_tops", "jp", "12", "us", "system"),
        ("women_tops", "uk", "12", "au", "to"),
        ("hats", "uk", "12", "us", "garment"),
    ],
)
def test_unknown_sizes_systems_and_garments_are_refused(garment, system, size, to, field):
    with pytest.raises(ValidationFailed) as raised:
        size_convert(garment=garment, system=system, size=size, to=to)
    assert field in raised.value.details


def test_body_vectors_are_z_scores_with_gaps_at_the_mean():
    vector = body_vector({"chest_cm": 110.5, "height": 171})
    assert vector == pytest.approx([1.0, 0, 0, 0, 0, 0])
    assert body_vector({"waist_cm": None}) is None


def test_neighbours_vote_for_a_correction_of_the_chart():
    # A bigger neighbour (the chart gives it L) kept L: the chart was right for it, so
    # the customer's chart size (M) gets the vote, not L.
    right = [Neighbour(0.5, "L", kept=1, too_small=0, too_large=0, chart_size="L")]
    votes, _ = neighbour_votes(labels=LABELS, neighbours=right, anchor="M")
    assert votes == {"M": 1.0}
    # A neighbour the chart gives M returned M as too small: one size up for the customer.
    small = [Neighbour(0.5, "M", kept=0, too_small=1, too_large=0, chart_size="M")]
    votes, _ = neighbour_votes(labels=LABELS, neighbours=small, anchor="S")
    assert votes == {"M": 1.0}
    # Without the neighbour's chart size, the size that fitted it is the vote.
    votes, _ = neighbour_votes(labels=LABELS, neighbours=[right[0].__class__(
        0.5, "L", kept=1, too_small=0, too_large=0)], anchor="M")  # fmt: skip
    assert votes == {"L": 1.0}
