"""Live fidelity indicators between reviews, from a site's monthly returns. Pure: standard
library and the pure outcome rates only.

- Caseload: people per full-time employment specialist over the site's last 3 months with a
  submitted (or approved) return, as sites.outcomes reads it: sum(caseload) / sum(FTE), the mean
  caseload per mean full-time specialist. It is scored by the anchors of item 1 (caseload size):
  20 or fewer 5, 21 to 25 4, 26 to 30 3, 31 to 40 2, 41 or more 1.
  The anchors count whole people and a ratio need not be whole, so the ratio is compared with
  the anchors' upper bounds as it is: 20.5 is more than 20 and scores 4; 25.01 scores 3. Nothing
  is rounded before scoring (rounding 20.4 down to 20 would hide a site over the limit).
- First contact within 4 weeks: sum(first_contact_within_4_weeks) / sum(new_to_service) over the
  same months, shown beside item 15 (rapid search for competitive job). Item 15's anchors count
  the days to a first employer contact, not a share of people, so the rate is shown, not scored.
- Drift: an indicator whose score is below the site's score on that item at its last final
  review. Only the caseload indicator has a score, so only item 1 can drift.
- No returns, or no specialist time to divide by, gives no indicator (None), never a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sites.outcomes import OutcomeTotals, outcome_rates

CASELOAD_ITEM = 1  # caseload size
RAPID_SEARCH_ITEM = 15  # rapid search for competitive job
INDICATOR_MONTHS = 3
# Item 1's anchors: (most people per full-time specialist, score), fewest people first.
CASELOAD_ANCHORS: tuple[tuple[int, int], ...] = ((20, 5), (25, 4), (30, 3), (40, 2))
CASELOAD_LOWEST_SCORE = 1  # 41 or more

Number = int | float | Decimal


def caseload_item_score(per_specialist: Number | None) -> int | None:
    """Item 1's score for this many people per full-time specialist; None for no figure."""
    if per_specialist is None:
        return None
    for most, score in CASELOAD_ANCHORS:
        if per_specialist <= most:
            return score
    return CASELOAD_LOWEST_SCORE


@dataclass(frozen=True)
class MonthFigures:
    """The figures of one month's counted return that the indicators read."""

    month: date
    caseload: int
    employment_specialists_fte: Decimal
    new_to_service: int
    first_contact_within_4_weeks: int

    @property
    def indicators(self) -> Indicators:
        """This month alone, as the indicators read it (the site page's table by month)."""
        return indicators_of_totals(
            (self.month,),
            caseload=self.caseload,
            employment_specialists_fte=self.employment_specialists_fte,
            new_to_service=self.new_to_service,
            first_contact_within_4_weeks=self.first_contact_within_4_weeks,
        )


@dataclass(frozen=True)
class Indicators:
    """The live indicators over `months` (oldest first); every figure None when there are none."""

    months: tuple[date, ...]
    caseload_per_specialist: float | None
    caseload_item_score: int | None
    contact_within_4_weeks: float | None


NO_INDICATORS = Indicators((), None, None, None)


def indicators_of_totals(
    months: Iterable[date],
    *,
    caseload: int,
    employment_specialists_fte: Number,
    new_to_service: int,
    first_contact_within_4_weeks: int,
) -> Indicators:
    """The indicators from the sums of the figures over `months`."""
    months = tuple(sorted(months))
    if not months:
        return NO_INDICATORS
    rates = outcome_rates(
        OutcomeTotals(
            caseload=caseload,
            employment_specialists_fte=Decimal(employment_specialists_fte),
            new_to_service=new_to_service,
            first_contact_within_4_weeks=first_contact_within_4_weeks,
            months_reported=len(months),
        )
    )
    return Indicators(
        months=months,
        caseload_per_specialist=rates.caseload_per_specialist,
        caseload_item_score=caseload_item_score(rates.caseload_per_specialist),
        contact_within_4_weeks=rates.contact_within_4_weeks,
    )


def live_indicators(figures: Iterable[MonthFigures]) -> Indicators:
    """The indicators over the newest INDICATOR_MONTHS of `figures` (counted returns, any order)."""
    recent = sorted(figures, key=lambda month: month.month)[-INDICATOR_MONTHS:]
    return indicators_of_totals(
        (month.month for month in recent),
        caseload=sum(month.caseload for month in recent),
        employment_specialists_fte=sum(
            (month.employment_specialists_fte for month in recent), Decimal(0)
        ),
        new_to_service=sum(month.new_to_service for month in recent),
        first_contact_within_4_weeks=sum(month.first_contact_within_4_weeks for month in recent),
    )


def drift(indicators: Indicators, review_scores: Mapping[int, int | None]) -> list[int]:
    """The items whose live score is below the score the site's last final review gave them
    (`review_scores`, {item: score}): [1] or []."""
    live = indicators.caseload_item_score
    at_review = review_scores.get(CASELOAD_ITEM)
    if live is None or at_review is None:
        return []
    return [CASELOAD_ITEM] if live < at_review else []
