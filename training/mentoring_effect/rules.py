"""The maths of "Does mentoring work". Pure: standard library and core.months only.

Before and after mentoring:
- fidelity: the total of the mentee's last final review on or before the day mentoring began
  (a review that day is what it started from) and of its first final review after that day;
- employment rate (sum in_work / sum caseload, DESIGN.md) over the 6 calendar months before the
  month mentoring began, and over the 6 months from that month on (the month it began counts as
  mentored).

The funnel plot: each site's employment rate over the last 12 months against the network's rate
p, with control limits p +- z * sqrt(p (1 - p) / n), where n is the site's summed caseload (its
person-months) and z is 1.96 (95%) or 3.09 (99.8%), clipped to [0, 1]. The limits narrow as n
grows, so a small site's rate must stray further before it is called unusual: a site is not an
outlier for being small.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.months import add_months, month_start

WINDOW_MONTHS = 6
Z_95 = 1.96
Z_998 = 3.09


# Before and after


@dataclass(frozen=True)
class Window:
    """Whole calendar months from `first` to `last`, both named by their first day."""

    first: date
    last: date

    def holds(self, month: date) -> bool:
        return self.first <= month <= self.last


def windows(starts_on: date, months: int = WINDOW_MONTHS) -> tuple[Window, Window]:
    """The months before mentoring began and the months from its start on."""
    start = month_start(starts_on)
    return (
        Window(add_months(start, -months), add_months(start, -1)),
        Window(start, add_months(start, months - 1)),
    )


@dataclass(frozen=True)
class Reviewed:
    """A final review: when, and its total."""

    reviewed_on: date
    total: int | None


def reviews_around(
    reviews: Iterable[Reviewed], starts_on: date
) -> tuple[Reviewed | None, Reviewed | None]:
    """The last final review on or before `starts_on` and the first after it (None: none)."""
    ordered = sorted(reviews, key=lambda review: review.reviewed_on)
    before = [review for review in ordered if review.reviewed_on <= starts_on]
    after = [review for review in ordered if review.reviewed_on > starts_on]
    return (before[-1] if before else None, after[0] if after else None)


def employment_rate(in_work: int, caseload: int) -> float | None:
    """in_work / caseload, in [0, 1]; None when there is no caseload to divide by."""
    if caseload <= 0:
        return None
    return min(max(in_work / caseload, 0.0), 1.0)


def change(before: float | int | None, after: float | int | None) -> float | int | None:
    """after - before, or None when either is missing."""
    if before is None or after is None:
        return None
    return after - before


# The funnel plot


@dataclass(frozen=True)
class Limits:
    """The control limits around the network rate for one n, each in [0, 1]."""

    low_95: float
    high_95: float
    low_998: float
    high_998: float


def control_limits(p: float, n: float, z: float) -> tuple[float, float]:
    """p -+ z * sqrt(p (1 - p) / n), clipped to [0, 1]. ValueError unless 0 <= p <= 1, n > 0."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"the network rate is a share from 0 to 1, not {p!r}")
    if not n > 0:
        raise ValueError(f"n is the caseload summed over the months, more than 0, not {n!r}")
    spread = z * math.sqrt(p * (1.0 - p) / n)
    return max(p - spread, 0.0), min(p + spread, 1.0)


def funnel_limits(p: float, n: float) -> Limits:
    low_95, high_95 = control_limits(p, n, Z_95)
    low_998, high_998 = control_limits(p, n, Z_998)
    return Limits(low_95, high_95, low_998, high_998)


class Position(StrEnum):
    ABOVE_998 = "above_998"
    ABOVE_95 = "above_95"
    WITHIN = "within"
    BELOW_95 = "below_95"
    BELOW_998 = "below_998"


POSITION_LABELS = {
    Position.ABOVE_998: "Above the 99.8% limit",
    Position.ABOVE_95: "Above the 95% limit",
    Position.WITHIN: "Within the limits",
    Position.BELOW_95: "Below the 95% limit",
    Position.BELOW_998: "Below the 99.8% limit",
}


def position(rate: float, limits: Limits) -> Position:
    """Where a rate lies against the limits (on a limit is within it)."""
    if rate > limits.high_998:
        return Position.ABOVE_998
    if rate > limits.high_95:
        return Position.ABOVE_95
    if rate < limits.low_998:
        return Position.BELOW_998
    if rate < limits.low_95:
        return Position.BELOW_95
    return Position.WITHIN


def funnel_ns(smallest: float, largest: float, points: int = 60) -> list[float]:
    """n values from `smallest` to `largest`, spread evenly on a log scale, to draw the limit
    lines through (the funnel is steep at small n and flat at large)."""
    if not 0 < smallest <= largest:
        raise ValueError("n runs from a smallest above 0 to a largest no smaller")
    if smallest == largest or points < 2:
        return [float(smallest)]
    low, high = math.log(smallest), math.log(largest)
    step = (high - low) / (points - 1)
    return [math.exp(low + step * index) for index in range(points - 1)] + [float(largest)]
