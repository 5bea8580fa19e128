"""When a site's next fidelity review is due. Pure: standard library only.

DESIGN.md's review cadence: the next review falls 6 months after a final review below Good, 12
months after one that is Good or Exemplary, and 36 months after it for a Centre of Excellence;
a site with no final review is due 6 months after it launched. The months are settings, so the
numbers live in `Cadence` and the app passes its own.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

GOOD_OR_BETTER = frozenset({"good", "exemplary"})


@dataclass(frozen=True)
class Cadence:
    below_good_months: int = 6
    good_months: int = 12
    centre_months: int = 36
    first_review_months: int = 6


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (31 August + 6
    months is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_review_due(
    *,
    reviewed_on: date | None,
    band: str | None,
    centre: bool,
    launched_on: date | None,
    cadence: Cadence = Cadence(),
) -> date | None:
    """The date the site's next review is due, from its latest final review (`reviewed_on`, with
    its `band`), whether it is a Centre of Excellence now, and its launch; None when nothing
    tells (no final review and no launch date)."""
    if reviewed_on is None:
        if launched_on is None:
            return None
        return months_after(launched_on, cadence.first_review_months)
    if centre:
        return months_after(reviewed_on, cadence.centre_months)
    if band in GOOD_OR_BETTER:
        return months_after(reviewed_on, cadence.good_months)
    return months_after(reviewed_on, cadence.below_good_months)
