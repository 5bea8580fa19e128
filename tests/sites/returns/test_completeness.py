"""Completeness and timeliness counts (sites/returns/completeness.py)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sites.returns.completeness import Completeness, month_counts, rate, total

DUE = date(2026, 11, 13)


def test_each_expected_month_counts_by_its_return():
    assert month_counts(None, None, DUE) == Completeness(1, 0, 0, 0)
    assert month_counts("draft", None, DUE) == Completeness(1, 0, 0, 0)
    assert month_counts("returned", date(2026, 11, 2), DUE) == Completeness(1, 0, 0, 0)
    assert month_counts("submitted", date(2026, 11, 13), DUE) == Completeness(1, 1, 1, 0)
    assert month_counts("submitted", date(2026, 11, 14), DUE) == Completeness(1, 1, 0, 0)
    assert month_counts("approved", date(2026, 11, 2), DUE) == Completeness(1, 1, 1, 1)


def test_rates_of_a_programme_are_ratios_of_its_sums():
    sites = [Completeness(12, 12, 10, 8), Completeness(6, 3, 1, 0)]
    programme = total(sites)
    assert programme == Completeness(18, 15, 11, 8)
    assert programme.reporting_rate == round(15 / 18, 4)
    assert programme.on_time_rate == round(11 / 18, 4)
    assert programme.as_dict()["approved"] == 8


def test_nothing_expected_is_no_rate_not_zero():
    assert Completeness().reporting_rate is None
    assert Completeness().on_time_rate is None
    assert rate(0, 0) is None
    assert rate(0, 4) == 0


statuses = st.sampled_from([None, "draft", "submitted", "returned", "approved"])
days = st.dates(min_value=date(2026, 10, 1), max_value=date(2026, 12, 31))


@given(st.lists(st.tuples(statuses, st.none() | days, days), max_size=40))
def test_counts_nest_and_rates_lie_between_0_and_1(months):
    counts = total([month_counts(s, submitted, due) for s, submitted, due in months])
    assert counts.approved <= counts.received
    assert counts.on_time <= counts.received <= counts.expected == len(months)
    for value in (counts.reporting_rate, counts.on_time_rate):
        assert value is None or 0 <= value <= 1
    assert (counts.reporting_rate is None) == (not months)


@given(st.integers(-5, 50), st.integers(-5, 50))
def test_a_rate_is_in_0_to_1_or_none(part, whole):
    value = rate(part, whole)
    assert value is None or 0 <= value <= 1
    assert (value is None) == (whole <= 0)
