"""The unusual-figure rule (sites/returns/unusual.py): median and median absolute deviation."""

import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sites.returns.unusual import unusual_figures, usual_range


def test_a_figure_far_above_the_sites_usual_months_is_unusual():
    history = {"job_starts": [3, 4, 2, 5, 3, 4, 3, 4, 2, 3, 4, 3]}
    (found,) = unusual_figures(history, {"job_starts": 30})
    assert found.figure == "job_starts"
    assert found.value == 30
    assert found.median == 3
    assert found.low < 3 < found.high < 30
    assert unusual_figures(history, {"job_starts": 6}) == []


def test_one_odd_month_does_not_hide_the_next():
    """With a mean and standard deviation the 40 would widen the range enough to let 35 pass."""
    history = {"job_starts": [3, 4, 2, 5, 3, 4, 3, 4, 2, 3, 40]}
    assert [u.figure for u in unusual_figures(history, {"job_starts": 35})] == ["job_starts"]
    values = history["job_starts"]
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    assert abs(35 - mean) < 3.5 * sd  # the naive rule would have let it through


def test_no_warning_while_the_site_has_fewer_than_six_months():
    assert usual_range([3, 3, 4, 3, 2]) is None
    assert unusual_figures({"job_starts": [3, 3, 4, 3, 2]}, {"job_starts": 300}) == []
    assert unusual_figures({}, {"job_starts": 300}) == []


def test_only_the_last_twelve_months_count():
    history = [100] * 12 + [3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 4, 3]
    assert usual_range(history)[0] == 3


def test_a_steady_site_is_not_warned_about_one_more():
    median, low, high = usual_range([2] * 12)
    assert (median, low) == (2, 0)
    assert high >= 3
    assert unusual_figures({"job_starts": [2] * 12}, {"job_starts": 3}) == []
    assert unusual_figures({"job_starts": [2] * 12}, {"job_starts": 9})


def test_decimals_and_blanks_are_read_and_rubbish_is_ignored():
    history = {"employment_specialists_fte": [Decimal("2.5")] * 8 + [None, "x"]}
    assert unusual_figures(history, {"employment_specialists_fte": Decimal("2.6")}) == []
    assert unusual_figures(history, {"employment_specialists_fte": Decimal("9")})
    assert unusual_figures(history, {"employment_specialists_fte": None}) == []
    assert unusual_figures(history, {"employment_specialists_fte": "nine"}) == []


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
)


@given(
    history=st.dictionaries(st.sampled_from(["job_starts", "caseload"]), st.lists(anything)),
    current=st.dictionaries(st.sampled_from(["job_starts", "caseload", "other"]), anything),
)
def test_it_never_raises(history, current):
    for found in unusual_figures(history, current):
        assert not found.low <= found.value <= found.high
        assert found.low >= 0


@given(
    history=st.lists(st.integers(0, 500), min_size=6, max_size=24),
)
def test_the_median_of_the_usual_months_is_never_unusual(history):
    median, low, high = usual_range(history)
    assert low <= median <= high
    assert unusual_figures({"caseload": history}, {"caseload": median}) == []
