"""The small-number rule of open data (programme.open_data): worked by hand, and as properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programme.reports.open_data import (
    SUPPRESSED,
    Rate,
    published_count,
    published_rate,
    published_row,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, 0),
        (1, "*"),
        (2, "*"),
        (3, "*"),
        (4, "*"),
        (5, 5),
        (6, 5),
        (7, 5),
        (8, 10),
        (9, 10),
        (10, 10),
        (12, 10),
        (13, 15),
        (61, 60),
        (217, 215),
        (218, 220),
        (286, 285),
        (1_003, 1_005),
    ],
)
def test_counts_are_hidden_below_5_and_rounded_to_the_nearest_5(count, shown) -> None:
    assert published_count(count) == shown


def test_halves_round_up_and_small_fractions_are_hidden() -> None:
    assert published_count(Decimal("7.5")) == 10
    assert published_count(Decimal("12.5")) == 15
    assert published_count(7.5) == 10
    assert published_count(Decimal("7.4")) == 5
    assert published_count(Decimal("2.5")) == SUPPRESSED
    assert published_count(Decimal("0.5")) == SUPPRESSED
    assert published_count(Decimal("4.9")) == SUPPRESSED


def test_missing_stays_missing_and_nonsense_is_refused() -> None:
    assert published_count(None) is None
    with pytest.raises(ValueError):
        published_count(-1)
    with pytest.raises(TypeError):
        published_count(True)
    with pytest.raises(TypeError):
        published_count("12")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        published_count(float("nan"))


@given(st.integers(min_value=0, max_value=10**9))
def test_no_count_from_1_to_4_survives_and_the_rest_move_at_most_2(count: int) -> None:
    shown = published_count(count)
    if count == 0:
        assert shown == 0
    elif count < 5:
        assert shown == SUPPRESSED
    else:
        assert isinstance(shown, int)
        assert shown % 5 == 0 and shown >= 5
        assert abs(shown - count) <= 2


def test_rates_are_worked_out_from_the_published_counts_or_left_out() -> None:
    percent = Rate("achieved", "target", scale=100, places=1)
    assert published_rate(215, 340, percent) == 63.2  # 217 of 340 published as 215
    assert published_rate(SUPPRESSED, 340, percent) is None
    assert published_rate(None, 340, percent) is None
    assert published_rate(10, 0, percent) is None
    assert published_rate(0, 60, percent) == 0.0


def test_a_row_keeps_ids_dates_and_targets_and_publishes_counts_and_rates() -> None:
    names = ["programme_id", "site", "target", "achieved", "percent"]
    rate = Rate("achieved", "target", scale=100, places=1)
    row = published_row(
        names, (3, "Bradford IPS", 60, 61, 101.7), frozenset({"achieved"}), {"percent": rate}
    )
    assert row == (3, "Bradford IPS", 60, 60, 100.0)
    small = published_row(
        names, (3, "Small IPS", 4, 3, 75.0), frozenset({"achieved"}), {"percent": rate}
    )
    assert small == (3, "Small IPS", 4, SUPPRESSED, None)
