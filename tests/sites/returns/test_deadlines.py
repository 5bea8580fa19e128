from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.months import month_end, months_in, next_month, previous_month
from core.working_days import due_date, last_due_month
from sites.returns.deadlines import months_in_windows, months_owed

NO_HOLIDAYS: set[date] = set()


def test_due_date_counts_ten_working_days_after_the_month():
    # October 2026 ends on a Saturday; ten working days later is Friday 13 November.
    assert due_date(date(2026, 10, 1), NO_HOLIDAYS) == date(2026, 11, 13)


def test_bank_holidays_push_the_due_date():
    # December 2025: 25, 26 December and 1 January are bank holidays.
    holidays = {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)}
    assert due_date(date(2025, 11, 1), holidays) == date(2025, 12, 12)
    assert due_date(date(2025, 12, 1), holidays) == date(2026, 1, 15)
    assert due_date(date(2025, 12, 1), NO_HOLIDAYS) == date(2026, 1, 14)


def test_a_month_is_late_only_after_its_due_date():
    assert last_due_month(date(2026, 11, 13), NO_HOLIDAYS) == date(2026, 9, 1)
    assert last_due_month(date(2026, 11, 14), NO_HOLIDAYS) == date(2026, 10, 1)


def test_months_arithmetic():
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_month(date(2027, 1, 1)) == date(2026, 12, 1)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert months_in(date(2026, 1, 1), date(2026, 12, 1)) == 12
    assert months_in(date(2026, 5, 1), date(2026, 4, 1)) == 0


def test_months_owed_merges_overlapping_windows():
    windows = [
        (date(2020, 1, 1), date(2020, 6, 1)),
        (date(2020, 4, 1), date(2020, 9, 1)),
        (date(2021, 1, 1), date(2021, 1, 1)),
        (date(2022, 1, 1), date(2021, 1, 1)),
    ]
    assert months_owed(windows) == 10


months = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 1)).map(
    lambda d: d.replace(day=1)
)


@given(st.lists(st.tuples(months, months), max_size=6))
def test_months_owed_equals_the_size_of_the_union(windows):
    union = set()
    for first, last in windows:
        month = first
        while month <= last:
            union.add(month)
            month = next_month(month)
    assert months_owed(windows) == len(union)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2040, 1, 1)))
def test_last_due_month_is_due_before_today_and_the_next_is_not(today):
    month = last_due_month(today, NO_HOLIDAYS)
    assert due_date(month, NO_HOLIDAYS) < today
    assert due_date(next_month(month), NO_HOLIDAYS) >= today
    assert month < today - timedelta(days=14)


def test_months_in_windows_lists_the_union_oldest_first():
    windows = [
        (date(2025, 11, 1), date(2026, 1, 1)),
        (date(2025, 12, 1), date(2026, 2, 1)),
        (date(2024, 12, 15), date(2024, 12, 31)),
        (date(2026, 5, 1), date(2026, 4, 1)),
    ]
    assert months_in_windows(windows) == [
        date(2024, 12, 1),
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert months_in_windows([]) == []


@given(st.lists(st.tuples(months, months), max_size=6))
def test_months_in_windows_agrees_with_months_owed(windows):
    listed = months_in_windows(windows)
    assert len(listed) == months_owed(windows)
    assert listed == sorted(set(listed))
    assert all(month.day == 1 for month in listed)
