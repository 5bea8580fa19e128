"""The Centre of Excellence rules: eligibility, the re-review date and "passed unrenewed"."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from training.centres.rules import (
    Award,
    current_award,
    eligible_to_be_centre,
    passed_unrenewed,
    re_review_due,
)
from training.fidelity.cadence import Cadence, months_after

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
bands = st.sampled_from(["exemplary", "good", "fair", "not_ips", None])


def test_good_or_exemplary_and_not_a_centre_is_eligible():
    assert eligible_to_be_centre(band="good", centre_now=False)
    assert eligible_to_be_centre(band="exemplary", centre_now=False)


def test_fair_not_ips_or_never_reviewed_is_not_eligible():
    for band in ("fair", "not_ips", None):
        assert not eligible_to_be_centre(band=band, centre_now=False)


def test_a_centre_now_is_not_eligible_however_good():
    assert not eligible_to_be_centre(band="exemplary", centre_now=True)


@given(bands, st.booleans())
def test_eligible_exactly_when_good_or_better_and_not_a_centre(band, centre_now):
    expected = band in ("good", "exemplary") and not centre_now
    assert eligible_to_be_centre(band=band, centre_now=centre_now) is expected


def test_due_36_months_after_the_latest_review_since_the_award():
    due = re_review_due(awarded_on=date(2016, 5, 1), latest_review_on=date(2019, 3, 10))
    assert due == date(2022, 3, 10)


def test_due_36_months_after_the_award_when_no_review_since():
    assert re_review_due(awarded_on=date(2016, 5, 1), latest_review_on=None) == date(2019, 5, 1)
    # a review before the award does not count: the award came after it
    before = re_review_due(awarded_on=date(2016, 5, 1), latest_review_on=date(2015, 11, 1))
    assert before == date(2019, 5, 1)


def test_a_review_on_the_award_day_counts_as_since():
    due = re_review_due(awarded_on=date(2016, 5, 1), latest_review_on=date(2016, 5, 1))
    assert due == date(2019, 5, 1)


def test_the_centre_months_are_a_setting():
    cadence = Cadence(centre_months=24)
    due = re_review_due(awarded_on=date(2020, 1, 31), latest_review_on=None, cadence=cadence)
    assert due == date(2022, 1, 31)


@given(days, st.one_of(st.none(), days), st.integers(1, 60))
def test_due_is_the_cadence_after_the_later_of_award_and_review(awarded_on, reviewed_on, months):
    due = re_review_due(
        awarded_on=awarded_on, latest_review_on=reviewed_on, cadence=Cadence(centre_months=months)
    )
    start = max(awarded_on, reviewed_on) if reviewed_on else awarded_on
    assert due == months_after(start, months)
    assert due > awarded_on


def test_passed_unrenewed_only_once_the_date_is_past():
    due = date(2022, 3, 10)
    assert not passed_unrenewed(due=due, latest_review_on=None, today=date(2022, 3, 9))
    assert not passed_unrenewed(due=due, latest_review_on=None, today=due)
    assert passed_unrenewed(due=due, latest_review_on=None, today=date(2022, 3, 11))


def test_a_review_on_or_after_the_due_date_renews():
    due = date(2022, 3, 10)
    today = date(2023, 1, 1)
    assert not passed_unrenewed(due=due, latest_review_on=due, today=today)
    assert not passed_unrenewed(due=due, latest_review_on=date(2022, 6, 1), today=today)
    assert passed_unrenewed(due=due, latest_review_on=date(2019, 3, 10), today=today)


@given(days, st.one_of(st.none(), days), days)
def test_a_centre_is_flagged_exactly_when_its_date_from_the_latest_review_is_past(
    awarded_on, reviewed_on, today
):
    due = re_review_due(awarded_on=awarded_on, latest_review_on=reviewed_on)
    # the due date comes from the latest review, which is never on or after it
    assert passed_unrenewed(due=due, latest_review_on=reviewed_on, today=today) is (due < today)


def test_the_award_held_today():
    old = Award(date(2012, 1, 1), date(2015, 1, 1))
    new = Award(date(2016, 5, 1))
    assert current_award([old, new], date(2020, 1, 1)) == new
    assert current_award([old, new], date(2013, 1, 1)) == old
    assert current_award([old, new], date(2015, 1, 1)) is None  # ended that day
    assert current_award([old], date(2011, 12, 31)) is None


@given(days, st.integers(0, 4000), days)
def test_an_award_holds_from_its_date_until_not_on_its_end(awarded_on, length, day):
    ended_on = awarded_on + timedelta(days=length) if length else None
    award = Award(awarded_on, ended_on)
    assert award.holds_on(day) is (awarded_on <= day and (ended_on is None or day < ended_on))
