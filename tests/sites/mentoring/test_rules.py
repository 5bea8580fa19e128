"""The mentoring rules, pure: not itself, dates in range and in order, no overlap of a pair."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.limits import DAY_OUT_OF_RANGE
from sites.mentoring.rules import (
    ENDS_BEFORE_START,
    NOT_ITSELF,
    OVERLAPS,
    Span,
    end_problems,
    mentoring_problems,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


def test_a_site_does_not_mentor_itself() -> None:
    assert mentoring_problems(7, 7, date(2016, 1, 1), None) == {"mentee_site_id": [NOT_ITSELF]}
    assert mentoring_problems(7, 8, date(2016, 1, 1), None) == {}


def test_dates_stay_in_range_and_in_order() -> None:
    assert mentoring_problems(1, 2, date(1989, 12, 31), None) == {"starts_on": [DAY_OUT_OF_RANGE]}
    assert mentoring_problems(1, 2, date(2016, 1, 1), date(2101, 1, 1)) == {
        "ends_on": [DAY_OUT_OF_RANGE]
    }
    assert mentoring_problems(1, 2, date(2016, 1, 2), date(2016, 1, 1)) == {
        "ends_on": [ENDS_BEFORE_START]
    }
    assert mentoring_problems(1, 2, date(2016, 1, 1), date(2016, 1, 1)) == {}  # one day


def test_the_same_pair_may_not_overlap_but_may_follow_on() -> None:
    earlier = [Span(date(2015, 4, 1), date(2016, 3, 31))]
    assert mentoring_problems(1, 2, date(2016, 3, 31), None, earlier) == {"starts_on": [OVERLAPS]}
    assert mentoring_problems(1, 2, date(2016, 4, 1), None, earlier) == {}
    open_ended = [Span(date(2015, 4, 1))]
    assert mentoring_problems(1, 2, date(2030, 1, 1), None, open_ended) == {"starts_on": [OVERLAPS]}
    assert mentoring_problems(1, 2, date(2010, 1, 1), date(2015, 3, 31), open_ended) == {}


def test_ending() -> None:
    assert end_problems(date(2016, 1, 1), date(2015, 12, 31)) == {"ends_on": [ENDS_BEFORE_START]}
    assert end_problems(date(2016, 1, 1), date(2101, 1, 1)) == {"ends_on": [DAY_OUT_OF_RANGE]}
    later = [Span(date(2018, 1, 1))]
    assert end_problems(date(2016, 1, 1), date(2018, 1, 1), later) == {"ends_on": [OVERLAPS]}
    assert end_problems(date(2016, 1, 1), date(2017, 12, 31), later) == {}


@given(days, st.integers(0, 400), days, st.integers(0, 400))
def test_overlap_is_symmetric_and_means_a_shared_day(a, a_len, b, b_len) -> None:
    first = Span(a, a + timedelta(days=a_len))
    second = Span(b, b + timedelta(days=b_len))
    assert first.overlaps(second) == second.overlaps(first)
    first_days = {first.starts_on + timedelta(days=n) for n in range(a_len + 1)}
    shares = any(second.starts_on <= day <= second.ends_on for day in first_days)
    assert first.overlaps(second) == shares


@given(days, st.one_of(st.none(), days))
def test_a_valid_mentoring_of_two_sites_has_no_problem_without_others(start, end) -> None:
    problems = mentoring_problems(1, 2, start, end)
    assert (problems == {}) == (end is None or end >= start)
