"""An agreed action's state on a given day (training/actions.py): overdue only after the due date,
due soon from today to 14 days ahead, done and dropped whatever the date."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.visits.actions import action_state, days_overdue, due_soon_until

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("due_on", "state"),
    [
        (date(2025, 3, 10), "overdue"),  # a year late
        (date(2026, 3, 8), "overdue"),
        (date(2026, 3, 9), "overdue"),  # the due date was yesterday
        (date(2026, 3, 10), "due_soon"),  # due today: still in time
        (date(2026, 3, 11), "due_soon"),
        (date(2026, 3, 24), "due_soon"),  # 14 days ahead: the last day of "due soon"
        (date(2026, 3, 25), "open"),  # 15 days ahead
        (date(2027, 1, 1), "open"),
    ],
)
def test_an_open_action_around_its_due_date(due_on, state):
    assert action_state(due_on, "open", TODAY) == state


def test_the_boundaries_cross_a_month_and_a_year_end():
    new_year = date(2025, 12, 31)
    assert due_soon_until(new_year) == date(2026, 1, 14)
    assert action_state(date(2026, 1, 14), "open", new_year) == "due_soon"
    assert action_state(date(2026, 1, 15), "open", new_year) == "open"
    assert action_state(date(2025, 12, 30), "open", new_year) == "overdue"
    # 2028 is a leap year: 29 February is a day like any other.
    assert action_state(date(2028, 2, 29), "open", date(2028, 3, 1)) == "overdue"
    assert action_state(date(2028, 3, 14), "open", date(2028, 2, 29)) == "due_soon"
    assert action_state(date(2028, 3, 15), "open", date(2028, 2, 29)) == "open"


@pytest.mark.parametrize("status", ["done", "dropped"])
@pytest.mark.parametrize("due_on", [date(2020, 1, 1), TODAY, date(2030, 1, 1)])
def test_done_and_dropped_actions_keep_their_status_whatever_the_date(status, due_on):
    assert action_state(due_on, status, TODAY) == status


def test_an_unknown_status_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="unknown action status"):
        action_state(TODAY, "finished", TODAY)


def test_days_overdue():
    assert days_overdue(date(2026, 3, 9), TODAY) == 1
    assert days_overdue(date(2026, 2, 28), TODAY) == 10
    assert days_overdue(TODAY, TODAY) == 0
    assert days_overdue(date(2026, 4, 1), TODAY) == 0


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(due_on=days, today=days)
def test_the_state_follows_the_days_between_today_and_the_due_date(due_on, today):
    state = action_state(due_on, "open", today)
    ahead = (due_on - today).days
    if ahead < 0:
        assert state == "overdue"
        assert days_overdue(due_on, today) == -ahead
    elif ahead <= 14:
        assert state == "due_soon"
        assert days_overdue(due_on, today) == 0
    else:
        assert state == "open"


@given(due_on=days, today=days)
def test_a_day_later_an_action_is_never_less_urgent(due_on, today):
    urgency = {"open": 0, "due_soon": 1, "overdue": 2}
    before = urgency[action_state(due_on, "open", today)]
    after = urgency[action_state(due_on, "open", today + timedelta(days=1))]
    assert after >= before
