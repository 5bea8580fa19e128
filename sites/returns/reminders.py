"""When each reminder e-mail is due. Pure: no Flask, no SQLAlchemy.

A site lead is reminded 3 working days before a return is due when none is submitted, and again
the working day after it becomes late; programme staff get a weekly digest. `flask reminders
send` runs hourly from cron: each reminder has a key, recorded when it is sent, so it goes once.
A run that was missed (the server was down that morning) still sends a reminder on a later day
of its window; nothing older than the window is ever sent, so turning the feature on does not
send years of late notices.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.working_days import is_working_day

DAYS_BEFORE_DUE = 3
LATE_WINDOW_WORKING_DAYS = 5


class Kind(StrEnum):
    DUE_SOON = "due"
    LATE = "late"
    DIGEST = "digest"


@dataclass(frozen=True)
class Reminder:
    kind: Kind
    key: str  # unique per person: ReminderSent(user_id, key)


def working_days_from(day: date, count: int, holidays: Container[date]) -> date:
    """The working day `count` working days after `day` (before it when `count` is negative)."""
    step = timedelta(days=1 if count >= 0 else -1)
    left = abs(count)
    while left:
        day += step
        if is_working_day(day, holidays):
            left -= 1
    return day


def return_reminder(
    site_id: int, month: date, due_on: date, received: bool, today: date, holidays: Container[date]
) -> Reminder | None:
    """The reminder a site's lead is due today for one month's return, if any. `received`: a
    return is submitted or approved (a draft or one sent back is not)."""
    if received:
        return None
    key = f"{site_id}:{month:%Y-%m}"
    if working_days_from(due_on, -DAYS_BEFORE_DUE, holidays) <= today <= due_on:
        return Reminder(Kind.DUE_SOON, f"due:{key}")
    late_from = working_days_from(due_on, 1, holidays)
    if late_from <= today <= working_days_from(due_on, LATE_WINDOW_WORKING_DAYS, holidays):
        return Reminder(Kind.LATE, f"late:{key}")
    return None


def digest_reminder(today: date, holidays: Container[date]) -> Reminder | None:
    """The weekly digest for programme staff: once each ISO week, from its first working day."""
    monday = today - timedelta(days=today.weekday())
    first_working = (
        monday if is_working_day(monday, holidays) else working_days_from(monday, 1, holidays)
    )
    if today < first_working:
        return None
    year, week, _ = today.isocalendar()
    return Reminder(Kind.DIGEST, f"digest:{year}-W{week:02d}")
