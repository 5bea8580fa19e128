"""Working days and due dates: weekends and the bank holidays of England and Wales are not working
days; a monthly return is due by the end of the 10th working day after its month ends. Pure: no
Flask, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta
from functools import lru_cache

import holidays as bank_holidays

from core.months import month_end, month_start, previous_month

WORKING_DAYS_ALLOWED = 10


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


@lru_cache(maxsize=8)
def england_and_wales_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """Bank holidays of England and Wales (they share them) from first_year to last_year."""
    return frozenset(
        bank_holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    )
