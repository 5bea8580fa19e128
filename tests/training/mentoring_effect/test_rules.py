"""The maths of "Does mentoring work": the windows, the reviews around a start, the funnel's
control limits (widening as n shrinks, clipped to [0, 1]) and where a rate lies."""

import math
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from training.mentoring_effect.rules import (
    Limits,
    Position,
    Reviewed,
    Window,
    change,
    control_limits,
    employment_rate,
    funnel_limits,
    funnel_ns,
    position,
    reviews_around,
    windows,
)


def test_six_months_before_the_start_month_and_six_from_it():
    before, after = windows(date(2024, 3, 17))
    assert before == Window(date(2023, 9, 1), date(2024, 2, 1))
    assert after == Window(date(2024, 3, 1), date(2024, 8, 1))
    assert after.holds(date(2024, 3, 1)) and not before.holds(date(2024, 3, 1))


def test_the_review_on_the_start_day_is_before_and_the_next_after():
    reviews = [
        Reviewed(date(2025, 1, 10), 98),
        Reviewed(date(2023, 5, 1), 70),
        Reviewed(date(2024, 3, 17), 85),
        Reviewed(date(2024, 9, 1), 101),
    ]
    before, after = reviews_around(reviews, date(2024, 3, 17))
    assert before == Reviewed(date(2024, 3, 17), 85)
    assert after == Reviewed(date(2024, 9, 1), 101)
    assert reviews_around([], date(2024, 1, 1)) == (None, None)
    assert reviews_around(reviews, date(2020, 1, 1)) == (None, Reviewed(date(2023, 5, 1), 70))


def test_rates_and_changes_without_a_denominator_are_missing():
    assert employment_rate(10, 40) == 0.25
    assert employment_rate(0, 0) is None
    assert employment_rate(50, 40) == 1.0
    assert change(0.25, 0.4) == pytest.approx(0.15)
    assert change(None, 0.4) is None and change(80, None) is None


def test_the_limits_by_hand():
    low, high = control_limits(0.4, 100, 1.96)
    spread = 1.96 * math.sqrt(0.4 * 0.6 / 100)
    assert (low, high) == pytest.approx((0.4 - spread, 0.4 + spread))
    limits = funnel_limits(0.4, 100)
    assert limits.low_998 < limits.low_95 < 0.4 < limits.high_95 < limits.high_998


def test_limits_are_clipped_to_0_and_1():
    assert control_limits(0.05, 4, 3.09)[0] == 0.0
    assert control_limits(0.95, 4, 3.09)[1] == 1.0
    assert control_limits(0.0, 10, 1.96) == (0.0, 0.0)
    assert control_limits(1.0, 10, 1.96) == (1.0, 1.0)


def test_a_rate_or_n_out_of_bounds_is_refused():
    for p, n in [(-0.1, 10), (1.1, 10), (0.5, 0), (0.5, -3), (math.nan, 10)]:
        with pytest.raises(ValueError):
            control_limits(p, n, 1.96)


rates = st.floats(min_value=0, max_value=1, allow_nan=False)
ns = st.floats(min_value=1e-3, max_value=1e7, allow_nan=False)


@given(rates, ns, ns)
def test_limits_widen_as_n_shrinks(p, n1, n2):
    small, large = sorted((n1, n2))
    narrow, wide = funnel_limits(p, large), funnel_limits(p, small)
    assert wide.low_95 <= narrow.low_95 and wide.high_95 >= narrow.high_95
    assert wide.low_998 <= narrow.low_998 and wide.high_998 >= narrow.high_998


@given(rates, ns)
def test_limits_hold_the_network_rate_within_0_and_1(p, n):
    limits = funnel_limits(p, n)
    for value in (limits.low_95, limits.high_95, limits.low_998, limits.high_998):
        assert 0.0 <= value <= 1.0
    assert limits.low_998 <= limits.low_95 <= p <= limits.high_95 <= limits.high_998
    assert position(p, limits) == Position.WITHIN


@given(rates, rates, ns, ns)
def test_a_rate_inside_a_larger_sites_limits_is_inside_a_smaller_sites(p, rate, n1, n2):
    small, large = sorted((n1, n2))
    assume(position(rate, funnel_limits(p, large)) == Position.WITHIN)
    assert position(rate, funnel_limits(p, small)) == Position.WITHIN


def test_where_a_rate_lies():
    limits = Limits(low_95=0.3, high_95=0.5, low_998=0.2, high_998=0.6)
    assert position(0.61, limits) == Position.ABOVE_998
    assert position(0.6, limits) == Position.ABOVE_95  # on a limit is within it
    assert position(0.5, limits) == Position.WITHIN
    assert position(0.25, limits) == Position.BELOW_95
    assert position(0.19, limits) == Position.BELOW_998


def test_a_small_site_is_not_an_outlier_for_being_small():
    # The same rate, 10 points under a 40% network rate: unusual for a large site only.
    assert position(0.3, funnel_limits(0.4, 30)) == Position.WITHIN
    assert position(0.3, funnel_limits(0.4, 3000)) == Position.BELOW_998


def test_the_lines_run_from_the_smallest_n_to_the_largest():
    points = funnel_ns(5, 5000, points=10)
    assert len(points) == 10 and points[0] == pytest.approx(5) and points[-1] == 5000
    assert points == sorted(points)
    assert funnel_ns(7, 7) == [7.0]
    with pytest.raises(ValueError):
        funnel_ns(0, 10)
