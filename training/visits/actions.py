"""The state of an agreed action on a given day: pure, no Flask and no SQLAlchemy.

An open action is overdue from the day after its due date (on the due date it is still in time),
and due soon when its due date is today or within the next 14 days. Done and dropped actions keep
their status whatever the date. training.visits.queries asks the same questions in SQL with
`overdue_before` and `due_soon_until`, so a list filtered by state agrees with this function.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

DUE_SOON_DAYS = 14


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


STATE_LABELS = {
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "open": "Open",
    "done": "Done",
    "dropped": "Dropped",
}
# NHS.UK tag colours for each state.
STATE_COLOURS = {
    "overdue": "red",
    "due_soon": "yellow",
    "open": "blue",
    "done": "green",
    "dropped": "grey",
}


def due_soon_until(today: date) -> date:
    """The last due date that counts as due soon on `today`."""
    return today + timedelta(days=DUE_SOON_DAYS)


def action_state(due_on: date, status: str, today: date) -> str:
    """One of "overdue", "due_soon", "open", "done" or "dropped"."""
    if status == ActionStatus.DONE:
        return "done"
    if status == ActionStatus.DROPPED:
        return "dropped"
    if status != ActionStatus.OPEN:
        raise ValueError(f"unknown action status: {status!r}")
    if due_on < today:
        return "overdue"
    if due_on <= due_soon_until(today):
        return "due_soon"
    return "open"


def days_overdue(due_on: date, today: date) -> int:
    """How many days past its due date an action is (0 when it is not yet overdue)."""
    return max((today - due_on).days, 0)
