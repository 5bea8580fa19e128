"""The live indicators' rules: item 1's anchors at every bound, the 3 newest months, drift."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.fidelity.indicators.rules import (
    CASELOAD_ITEM,
    NO_INDICATORS,
    MonthFigures,
    caseload_item_score,
    drift,
    indicators_of_totals,
    live_indicators,
)


@pytest.mark.parametrize(
    ("per_specialist", "score"),
    [
        (0, 5),
        (12.5, 5),
        (20, 5),
        (Decimal("20.00"), 5),
        (20.0001, 4),
        (20.5, 4),  # above 20, though it would round to 20 or 21
        (21, 4),
        (25, 4),
        (25.01, 3),
        (26, 3),
        (30, 3),
        (30.5, 2),
        (31, 2),
        (40, 2),
        (40.1, 1),
        (41, 1),
        (250, 1),
    ],
)
def test_caseload_is_scored_by_item_1s_anchors(per_specialist, score):
    assert caseload_item_score(per_specialist) == score


def test_no_figure_has_no_score():
    assert caseload_item_score(None) is None


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_a_score_is_1_to_5(per_specialist):
    assert caseload_item_score(per_specialist) in {1, 2, 3, 4, 5}


@given(
    st.floats(min_value=0, max_value=1_000, allow_nan=False),
    st.floats(min_value=0, max_value=1_000, allow_nan=False),
)
def test_more_people_per_specialist_never_score_higher(a, b):
    fewer, more = sorted((a, b))
    assert caseload_item_score(more) <= caseload_item_score(fewer)


def month(m: int, caseload: int = 40, fte: str = "2", new: int = 10, first: int = 5):
    return MonthFigures(date(2026, m, 1), caseload, Decimal(fte), new, first)


def test_the_newest_three_months_are_read():
    live = live_indicators([month(1, caseload=400), month(4), month(2), month(3, caseload=50)])
    assert live.months == (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1))
    # (40 + 50 + 40) / (2 + 2 + 2)
    assert live.caseload_per_specialist == pytest.approx(130 / 6)
    assert live.caseload_item_score == 4
    assert live.contact_within_4_weeks == pytest.approx(0.5)


def test_fewer_than_three_months_are_read_as_they_are():
    live = live_indicators([month(5, caseload=41, fte="1")])
    assert live.months == (date(2026, 5, 1),)
    assert live.caseload_item_score == 1


def test_no_returns_give_no_indicator_never_a_score():
    assert live_indicators([]) == NO_INDICATORS
    assert NO_INDICATORS.caseload_item_score is None
    assert NO_INDICATORS.caseload_per_specialist is None
    assert NO_INDICATORS.contact_within_4_weeks is None


def test_no_specialist_time_or_nobody_new_gives_no_figure():
    live = live_indicators([month(1, caseload=30, fte="0", new=0, first=0)])
    assert live.caseload_per_specialist is None and live.caseload_item_score is None
    assert live.contact_within_4_weeks is None


def test_exactly_on_a_bound_from_the_sums():
    live = indicators_of_totals(
        [date(2026, 1, 1)],
        caseload=75,
        employment_specialists_fte=Decimal("3"),
        new_to_service=0,
        first_contact_within_4_weeks=0,
    )
    assert live.caseload_per_specialist == 25 and live.caseload_item_score == 4


@given(
    st.lists(
        st.builds(
            MonthFigures,
            month=st.dates(date(2000, 1, 1), date(2030, 12, 1)).map(lambda d: d.replace(day=1)),
            caseload=st.integers(0, 500),
            employment_specialists_fte=st.decimals("0", "20", places=2),
            new_to_service=st.integers(0, 100),
            first_contact_within_4_weeks=st.just(0),
        ),
        max_size=8,
        unique_by=lambda m: m.month,
    )
)
def test_a_score_exists_exactly_when_there_is_a_ratio(months):
    live = live_indicators(months)
    assert len(live.months) == min(3, len(months))
    assert (live.caseload_item_score is None) == (live.caseload_per_specialist is None)
    if not months:
        assert live == NO_INDICATORS


def test_drift_is_a_live_score_below_the_reviews():
    def live_score(score):
        return indicators_of_totals(
            [date(2026, 1, 1)],
            caseload={5: 20, 4: 25, 3: 30, 2: 40, 1: 41}[score],
            employment_specialists_fte=1,
            new_to_service=1,
            first_contact_within_4_weeks=0,
        )

    assert drift(live_score(3), {CASELOAD_ITEM: 5}) == [1]
    assert drift(live_score(4), {CASELOAD_ITEM: 5}) == [1]
    assert drift(live_score(5), {CASELOAD_ITEM: 5}) == []
    assert drift(live_score(2), {CASELOAD_ITEM: 1}) == []  # better than at the review
    assert drift(live_score(1), {}) == []  # item 1 not scored at the review
    assert drift(NO_INDICATORS, {CASELOAD_ITEM: 5}) == []  # no returns: no drift
    # The contact rate is not scored, so a low one never drifts on item 15.
    assert drift(live_score(5), {CASELOAD_ITEM: 5, 15: 5}) == []


@given(st.integers(1, 5), st.floats(min_value=0, max_value=100, allow_nan=False))
def test_drift_exactly_when_the_live_score_is_lower(review_score, per_specialist):
    live = indicators_of_totals(
        [date(2026, 1, 1)],
        caseload=round(per_specialist * 100),
        employment_specialists_fte=100,
        new_to_service=0,
        first_contact_within_4_weeks=0,
    )
    drifted = drift(live, {CASELOAD_ITEM: review_score}) == [CASELOAD_ITEM]
    assert drifted == (live.caseload_item_score < review_score)
