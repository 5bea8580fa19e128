from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from training.fidelity.cadence import Cadence, months_after, next_review_due


def test_six_months_after_a_review_below_good():
    due = next_review_due(
        reviewed_on=date(2026, 3, 10), band="fair", centre=False, launched_on=None
    )
    assert due == date(2026, 9, 10)


def test_twelve_months_after_good_or_exemplary():
    for band in ("good", "exemplary"):
        due = next_review_due(
            reviewed_on=date(2026, 3, 10), band=band, centre=False, launched_on=date(2010, 1, 1)
        )
        assert due == date(2027, 3, 10)


def test_thirty_six_months_for_a_centre_of_excellence():
    due = next_review_due(
        reviewed_on=date(2025, 6, 1), band="exemplary", centre=True, launched_on=None
    )
    assert due == date(2028, 6, 1)


def test_a_site_never_reviewed_is_due_six_months_after_launch():
    due = next_review_due(reviewed_on=None, band=None, centre=False, launched_on=date(2026, 1, 15))
    assert due == date(2026, 7, 15)


def test_nothing_known_means_no_due_date():
    assert next_review_due(reviewed_on=None, band=None, centre=True, launched_on=None) is None


def test_the_settings_decide_the_months():
    cadence = Cadence(below_good_months=3, good_months=9, centre_months=24, first_review_months=2)
    assert next_review_due(
        reviewed_on=date(2026, 1, 1),
        band="not_ips",
        centre=False,
        launched_on=None,
        cadence=cadence,
    ) == date(2026, 4, 1)
    assert next_review_due(
        reviewed_on=None, band=None, centre=False, launched_on=date(2026, 1, 1), cadence=cadence
    ) == date(2026, 3, 1)


def test_months_after_keeps_to_the_end_of_a_shorter_month():
    assert months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert months_after(date(2026, 12, 15), 1) == date(2027, 1, 15)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 120))
def test_months_after_moves_by_whole_months(day, months):
    later = months_after(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later + timedelta(days=1)).day == 1
    assert later >= day
