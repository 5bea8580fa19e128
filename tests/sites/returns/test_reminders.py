"""When reminders are due (sites/returns/reminders.py)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.working_days import due_date, is_working_day
from sites.returns.reminders import (
    Kind,
    digest_reminder,
    return_reminder,
    working_days_from,
)

NONE: set[date] = set()
OCTOBER = date(2026, 10, 1)
DUE = due_date(OCTOBER, NONE)  # Friday 13 November 2026


def reminder(today, received=False):
    return return_reminder(7, OCTOBER, DUE, received, today, NONE)


def test_three_working_days_before_the_due_date_the_lead_is_reminded():
    assert date(2026, 11, 13) == DUE
    assert reminder(date(2026, 11, 9)) is None
    first = reminder(date(2026, 11, 10))
    assert first.kind == Kind.DUE_SOON
    assert first.key == "due:7:2026-10"
    assert reminder(date(2026, 11, 13)).key == "due:7:2026-10"


def test_the_working_day_after_it_is_late_the_lead_is_reminded_again():
    assert reminder(date(2026, 11, 14)) is None  # Saturday: not yet a working day after
    late = reminder(date(2026, 11, 16))
    assert late.kind == Kind.LATE
    assert late.key == "late:7:2026-10"
    assert reminder(date(2026, 11, 20)).kind == Kind.LATE  # a missed run still sends it
    assert reminder(date(2026, 11, 23)) is None  # years of old late months are never sent


def test_no_reminder_once_the_return_is_received():
    assert reminder(date(2026, 11, 10), received=True) is None
    assert reminder(date(2026, 11, 16), received=True) is None


def test_bank_holidays_are_not_working_days():
    christmas = {date(2026, 12, 25), date(2026, 12, 28)}
    assert working_days_from(date(2026, 12, 24), 1, christmas) == date(2026, 12, 29)
    assert working_days_from(date(2026, 12, 29), -1, christmas) == date(2026, 12, 24)


def test_the_digest_goes_once_a_week_from_its_first_working_day():
    assert digest_reminder(date(2026, 11, 30), NONE).key == "digest:2026-W49"
    assert digest_reminder(date(2026, 12, 2), NONE).key == "digest:2026-W49"
    easter_monday = {date(2027, 3, 29)}
    assert digest_reminder(date(2027, 3, 29), easter_monday) is None
    assert digest_reminder(date(2027, 3, 30), easter_monday).key == "digest:2027-W13"


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), st.integers(-15, 15))
def test_working_days_from_lands_on_a_working_day(day, count):
    result = working_days_from(day, count, NONE)
    assert (result - day).days * count >= 0
    assert count == 0 or is_working_day(result, NONE)


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 1)),
    st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 3, 1)), max_size=30),
)
def test_due_soon_days_come_before_late_days_and_each_window_is_unbroken(month_day, holidays):
    month = month_day.replace(day=1)
    due_on = due_date(month, holidays)
    kinds = []
    for offset in range(0, 70):
        day = month + timedelta(days=offset)
        found = return_reminder(1, month, due_on, False, day, holidays)
        kinds.append(found.kind if found else None)
        assert return_reminder(1, month, due_on, True, day, holidays) is None
    shape = [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1]]
    assert shape == [None, Kind.DUE_SOON, None, Kind.LATE, None] or shape == [
        None,
        Kind.DUE_SOON,
        Kind.LATE,
        None,
    ]
