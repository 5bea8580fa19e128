"""The Centre of Excellence rules. Pure: standard library only.

- A site is a Centre on a day when one of its awards (Designation) began on or before that day
  and has not ended by it (an award ending on a day no longer holds that day).
- Eligible to be invited: its latest final fidelity review is Good or Exemplary and it is not a
  Centre now (DESIGN.md).
- Re-review: a Centre is due for review the cadence's Centre months (36 by default) after its
  latest final review, or after its current award when it has had no final review since.
- Passed unrenewed: that date is past and no final review came since.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from training.fidelity.cadence import GOOD_OR_BETTER, Cadence, months_after

DEFAULT_CADENCE = Cadence()


@dataclass(frozen=True)
class Award:
    awarded_on: date
    ended_on: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.awarded_on <= day and (self.ended_on is None or self.ended_on > day)


def current_award(awards: Iterable[Award], today: date) -> Award | None:
    """The award the site holds today (the latest begun, when several overlap), or None."""
    holding = [award for award in awards if award.holds_on(today)]
    return max(holding, key=lambda award: award.awarded_on, default=None)


def eligible_to_be_centre(*, band: str | None, centre_now: bool) -> bool:
    """Whether a site may be invited to become a Centre: `band` is that of its latest final
    review (None: never reviewed, or not scored)."""
    return band in GOOD_OR_BETTER and not centre_now


def re_review_due(
    *, awarded_on: date, latest_review_on: date | None, cadence: Cadence = DEFAULT_CADENCE
) -> date:
    """When a Centre holding an award since `awarded_on` is next due for a fidelity review,
    given the date of its latest final review (None: it has none)."""
    reviewed_since = latest_review_on is not None and latest_review_on >= awarded_on
    start = latest_review_on if reviewed_since and latest_review_on else awarded_on
    return months_after(start, cadence.centre_months)


def passed_unrenewed(*, due: date, latest_review_on: date | None, today: date) -> bool:
    """Whether a Centre's re-review date has passed with no final review on or after it."""
    renewed = latest_review_on is not None and latest_review_on >= due
    return due < today and not renewed
