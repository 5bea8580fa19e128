"""How IPS spread, year by year. Pure: standard library and the pure fidelity and Centre rules.

For each year from the first launch to this year, as the network stood at the year's end (today,
for this year):
- sites launched: launched in that year (up to its end);
- active sites: launched on or before the year's end and not closed by it;
- good or better: active sites whose latest final review by the year's end is Good or Exemplary;
- Centres: active sites holding a Centre of Excellence award at the year's end.
A site without a launch date is left out of every count: nobody knows when it began.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from training.centres.rules import Award
from training.fidelity import scoring
from training.fidelity.cadence import GOOD_OR_BETTER


@dataclass(frozen=True)
class FinalReview:
    reviewed_on: date
    review_id: int  # breaks a tie between two reviews on one day: the later recorded counts
    total: int


@dataclass(frozen=True)
class SiteHistory:
    launched_on: date
    closed_on: date | None = None
    awards: tuple[Award, ...] = ()
    reviews: tuple[FinalReview, ...] = field(default=())

    def active_on(self, day: date) -> bool:
        return self.launched_on <= day and (self.closed_on is None or self.closed_on > day)

    def centre_on(self, day: date) -> bool:
        return any(award.holds_on(day) for award in self.awards)

    def band_on(self, day: date) -> str | None:
        """The band of the latest final review on or before `day` (None: none by then)."""
        reviewed = [r for r in self.reviews if r.reviewed_on <= day]
        if not reviewed:
            return None
        latest = max(reviewed, key=lambda r: (r.reviewed_on, r.review_id))
        try:
            return scoring.band_for(latest.total)
        except ValueError:
            return None


@dataclass(frozen=True)
class SpreadYear:
    year: int
    sites_launched: int
    active_sites: int
    good_or_better: int
    centres: int


def year_end(year: int, today: date) -> date:
    """The day a year's figures are taken: its last day, or today for the year not yet over."""
    return min(date(year, 12, 31), today)


def spread_by_year(sites: Iterable[SiteHistory], today: date) -> list[SpreadYear]:
    """The network's figures for each year from the first launch to today's year, oldest first;
    none when no site has launched by today."""
    launched = [site for site in sites if site.launched_on <= today]
    if not launched:
        return []
    first = min(site.launched_on.year for site in launched)
    years = []
    for year in range(first, today.year + 1):
        end = year_end(year, today)
        active = [site for site in launched if site.active_on(end)]
        years.append(
            SpreadYear(
                year=year,
                sites_launched=sum(site.launched_on.year == year for site in launched),
                active_sites=len(active),
                good_or_better=sum(site.band_on(end) in GOOD_OR_BETTER for site in active),
                centres=sum(site.centre_on(end) for site in active),
            )
        )
    return years
