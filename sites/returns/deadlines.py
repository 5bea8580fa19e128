"""When a monthly return is late, and how many months a site owes. Pure: no Flask, no SQLAlchemy.

A return is due by the end of the 10th working day after its month ends (weekends and bank
holidays are not working days); a month without a submitted return after that is late.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from core.months import month_start, months_in, next_month, previous_month
from sites.returns.workflow import COUNTED


def this_months_return(today: date) -> date:
    """The return a site sends now: the month that ended most recently."""
    return previous_month(month_start(today))


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


class ReturnState(StrEnum):
    """Where a site's return for a month stands, as the returns grid shows it."""

    APPROVED = "approved"
    SUBMITTED = "submitted"  # received, awaiting approval
    RETURNED = "returned"  # sent back to be corrected: not received, so it can be late
    DRAFT = "draft"
    LATE = "late"  # the site takes part that month, its due date has passed, nothing submitted
    DUE = "due"  # the site takes part that month, due date still to come, nothing started
    NOT_REQUIRED = "not_required"  # the site takes part in no programme that month


def return_state(status: str | None, required: bool, due_on: date, today: date) -> ReturnState:
    """The state of one month's return: `status` is the saved return's (None: none saved). A
    submitted or approved return is received; a draft or one sent back can be late."""
    if status in COUNTED:
        return ReturnState.APPROVED if status == "approved" else ReturnState.SUBMITTED
    if required and today > due_on:
        return ReturnState.LATE
    if status == "returned":
        return ReturnState.RETURNED
    if status is not None:
        return ReturnState.DRAFT
    return ReturnState.DUE if required else ReturnState.NOT_REQUIRED
