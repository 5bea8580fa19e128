"""When a monthly return is late, and how many months a site owes. Pure: no Flask, no SQLAlchemy.

A return is due by the end of the 10th working day after its month ends (weekends and bank
holidays are not working days); a month without a submitted return after that is late.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import date, timedelta

WORKING_DAYS_ALLOWED = 10


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after (or before, when negative) `month`'s."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def this_months_return(today: date) -> date:
    """The return a site sends now: the month that ended most recently."""
    return previous_month(month_start(today))


def is_working_day(day: date, holidays: Container[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def due_date(
    month: date, holidays: Container[date], working_days: int = WORKING_DAYS_ALLOWED
) -> date:
    """The last day on which the return for `month` is on time."""
    day = month_end(month)
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def last_due_month(
    today: date, holidays: Container[date], working_days: int = WORKING_DAYS_ALLOWED
) -> date:
    """The latest month whose return is late if it has not been submitted by `today`."""
    month = previous_month(month_start(today))
    while due_date(month, holidays, working_days) >= today:
        month = previous_month(month)
    return month


def months_in(first: date, last: date) -> int:
    """How many months from `first`'s month to `last`'s month inclusive (0 when last < first)."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return max(count, 0)


def months_owed(windows: Iterable[tuple[date, date]]) -> int:
    """How many distinct months the union of (first month, last month) windows covers."""
    total = 0
    covered_to: date | None = None
    for first, last in sorted((month_start(a), month_start(b)) for a, b in windows):
        if last < first:
            continue
        if covered_to is not None and first <= covered_to:
            if last > covered_to:
                total += months_in(next_month(covered_to), last)
                covered_to = last
            continue
        total += months_in(first, last)
        covered_to = last
    return total


def months_in_windows(windows: Iterable[tuple[date, date]]) -> list[date]:
    """The distinct month starts the union of (first month, last month) windows covers, oldest
    first; as many as months_owed counts."""
    months: set[date] = set()
    for first, last in windows:
        month, final = month_start(first), month_start(last)
        while month <= final:
            months.add(month)
            month = next_month(month)
    return sorted(months)
