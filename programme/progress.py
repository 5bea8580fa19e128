"""Programme progress: how far a programme has come towards its target of job starts.

Pure functions over plain dates and numbers. Months are named by their first day.

- Achieved at D: the sum of ``monthly_job_starts`` (already filtered by the caller to the returns
  that count for the reader, of participating sites: submitted and approved for staff, approved
  only for funders) over the months of the programme period, the month of ``starts_on`` to the
  month of ``ends_on``, that start on or before D. Other months are ignored. Nothing is achieved
  before ``starts_on``. Awaiting approval: the same sum over ``monthly_awaiting`` (the job starts
  of those months' submitted, not yet approved, returns; part of achieved, never added to it).
- Expected at D, linear (no profile): target x elapsed days / total days, both counted inclusively
  from ``starts_on``; 0 before ``starts_on`` and exactly the target on or after ``ends_on``.
- Expected at D with a profile (month start -> expected cumulative job starts by that month's end):
  interpolated by day within D's month from the previous month's value (0 before the profile's
  first month; a month missing from the profile carries the last known value forward) to D's
  month's value, so that at a month's end it is that month's value; at or after the end of the
  profile's last month, the last value; 0 before ``starts_on``. An empty profile means linear.
  Profile values must be 0 or more and never fall (it is cumulative), or ValueError.
- Run rate at D: mean monthly job starts over the last 6 complete months before D's month, counting
  only months from the month of ``starts_on``; fewer if fewer exist, 0 if none; a month without a
  figure counts as 0. Once the programme has closed, the run rate is the one it had at its close.
- Projected: achieved + run rate x remaining months, where remaining months are the days from D to
  ``ends_on`` (never negative) over an average month of 365.25 / 12 days.
- Status: ``not_started`` before ``starts_on``; after ``ends_on``, ``met`` or ``missed``;
  otherwise ``on_track`` when achieved >= expected, ``at_risk`` when projected >= target, else
  ``off_track``. Comparisons use unrounded numbers; only the reported figures are rounded.
  ``expected_at`` and ``run_rate`` return unrounded numbers.
- Percent: 100 x achieved / target; None when the target is 0.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

from core.months import month_end, month_index, month_of_index, month_start, months_between


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MET = "met"
    MISSED = "missed"


STATUS_LABELS = {
    ProgressStatus.NOT_STARTED: "Not started",
    ProgressStatus.ON_TRACK: "On track",
    ProgressStatus.AT_RISK: "At risk",
    ProgressStatus.OFF_TRACK: "Off track",
    ProgressStatus.MET: "Target met",
    ProgressStatus.MISSED: "Target missed",
}

RUN_RATE_MONTHS = 6


def status_explained(status: str, starts_on: date, target: int) -> str:
    """The rule behind a status, in one sentence for the page that shows it."""
    day = f"{starts_on.day} {starts_on:%B %Y}"
    return {
        ProgressStatus.NOT_STARTED: f"The programme starts on {day}: nothing is expected yet.",
        ProgressStatus.ON_TRACK: "On track: the job starts achieved are at or above those expected "
        "by today.",
        ProgressStatus.AT_RISK: "At risk: fewer job starts than expected by today, though at the "
        f"rate of the last {RUN_RATE_MONTHS} complete months the programme would still reach its "
        f"target of {target:,}.",
        ProgressStatus.OFF_TRACK: f"Off track: at the rate of the last {RUN_RATE_MONTHS} complete "
        f"months the programme would end below its target of {target:,}.",
        ProgressStatus.MET: f"The programme has ended and met its target of {target:,}.",
        ProgressStatus.MISSED: f"The programme has ended below its target of {target:,}.",
    }[ProgressStatus(status)]


AVERAGE_MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class MonthPoint:
    month: date
    job_starts: int
    cumulative: int
    expected: float
    awaiting_approval: int = 0  # of this month's job starts


@dataclass(frozen=True)
class Progress:
    target: int
    achieved: int
    expected: float
    percent: float | None
    run_rate: float
    projected: float
    status: str
    by_month: list[MonthPoint]
    awaiting_approval: int = 0  # of the achieved job starts


def _check_programme(starts_on: date, ends_on: date, target: int) -> None:
    if ends_on < starts_on:
        raise ValueError(f"The programme ends ({ends_on}) before it starts ({starts_on}).")
    if target < 0:
        raise ValueError(f"The target must be 0 or more, not {target}.")


def _totals_by_month(monthly_job_starts: Mapping[date, int]) -> dict[date, int]:
    # Keys should already be month starts; any other day is taken as naming its month.
    totals: dict[date, int] = {}
    for day, job_starts in monthly_job_starts.items():
        month = month_start(day)
        totals[month] = totals.get(month, 0) + job_starts
    return totals


def _sorted_profile(profile: Mapping[date, float]) -> tuple[list[date], list[float]]:
    by_month: dict[date, float] = {}
    for day, value in profile.items():
        month = month_start(day)
        if month in by_month:
            raise ValueError(f"The profile gives {month:%B %Y} more than once.")
        if value < 0:
            raise ValueError(f"The profile for {month:%B %Y} must be 0 or more, not {value}.")
        by_month[month] = value
    months = sorted(by_month)
    values = [float(by_month[month]) for month in months]
    for (_, earlier), (month, later) in pairwise(zip(months, values, strict=True)):
        if later < earlier:
            raise ValueError(
                f"The profile is cumulative, so it cannot fall in {month:%B %Y} "
                f"({earlier:g} to {later:g})."
            )
    return months, values


def _expected_function(
    starts_on: date, ends_on: date, target: int, profile: Mapping[date, float] | None
) -> Callable[[date], float]:
    """The expected cumulative job starts as a function of the day, the profile checked once."""
    _check_programme(starts_on, ends_on, target)
    if not profile:
        total_days = (ends_on - starts_on).days + 1

        def linear(on: date) -> float:
            if on < starts_on:
                return 0.0
            if on >= ends_on:
                return float(target)
            return target * ((on - starts_on).days + 1) / total_days

        return linear

    months, values = _sorted_profile(profile)
    profile_ends_on = month_end(months[-1])

    def profiled(on: date) -> float:
        if on < starts_on:
            return 0.0
        if on >= profile_ends_on:
            return values[-1]
        month = month_start(on)
        known = bisect_right(months, month)
        current = values[known - 1] if known else 0.0
        if on == month_end(on):
            # Exactly the profile's figure, free of floating-point drift from interpolating.
            return current
        before = bisect_left(months, month)
        previous = values[before - 1] if before else 0.0
        days_in_month = month_end(on).day
        return previous + (current - previous) * on.day / days_in_month

    return profiled


def expected_at(
    on: date,
    *,
    starts_on: date,
    ends_on: date,
    target: int,
    profile: Mapping[date, float] | None = None,
) -> float:
    """Expected cumulative job starts on ``on`` (unrounded)."""
    return _expected_function(starts_on, ends_on, target, profile)(on)


def run_rate(monthly_job_starts: Mapping[date, int], *, on: date, starts_on: date) -> float:
    """Mean monthly job starts over the last 6 complete months before ``on`` (unrounded)."""
    first = month_index(starts_on)
    current = month_index(on)
    # Every month before the month of ``on`` has ended before ``on``, so is complete.
    indices = [index for index in range(current - RUN_RATE_MONTHS, current) if index >= first]
    if not indices:
        return 0.0
    totals = _totals_by_month(monthly_job_starts)
    return sum(totals.get(month_of_index(index), 0) for index in indices) / len(indices)


def expected_line(
    *,
    starts_on: date,
    ends_on: date,
    target: int,
    profile: Mapping[date, float] | None = None,
) -> list[tuple[date, float]]:
    """(month start, expected at that month's end, rounded to 1 place) for every programme month."""
    expected = _expected_function(starts_on, ends_on, target, profile)
    return [
        (month, round(expected(month_end(month)), 1))
        for month in months_between(starts_on, ends_on)
    ]


def programme_progress(
    *,
    starts_on: date,
    ends_on: date,
    target: int,
    monthly_job_starts: Mapping[date, int],
    on: date,
    profile: Mapping[date, float] | None = None,
    monthly_awaiting: Mapping[date, int] | None = None,
) -> Progress:
    """The programme's progress on ``on``: achieved (and how much of it awaits approval),
    expected, projection and status."""
    expected_on = _expected_function(starts_on, ends_on, target, profile)
    first_month, last_month = month_start(starts_on), month_start(ends_on)
    totals = {
        month: job_starts
        for month, job_starts in _totals_by_month(monthly_job_starts).items()
        if first_month <= month <= last_month
    }
    awaiting_by_month = _totals_by_month(monthly_awaiting or {})

    by_month: list[MonthPoint] = []
    achieved = awaiting = 0
    if on >= starts_on:
        for month in months_between(starts_on, min(on, ends_on)):
            job_starts = totals.get(month, 0)
            achieved += job_starts
            awaiting += awaiting_by_month.get(month, 0)
            by_month.append(
                MonthPoint(
                    month=month,
                    job_starts=job_starts,
                    cumulative=achieved,
                    expected=round(expected_on(month_end(month)), 1),
                    awaiting_approval=awaiting_by_month.get(month, 0),
                )
            )

    closed = on > ends_on
    # After the close, months beyond the programme would count as 0 and drag the rate down.
    rate = run_rate(totals, on=ends_on + timedelta(days=1) if closed else on, starts_on=starts_on)
    remaining_months = max(0, (ends_on - on).days) / AVERAGE_MONTH_DAYS
    projected = achieved + rate * remaining_months
    expected = expected_on(on)

    if on < starts_on:
        status = ProgressStatus.NOT_STARTED
    elif closed:
        status = ProgressStatus.MET if achieved >= target else ProgressStatus.MISSED
    elif achieved >= expected:
        status = ProgressStatus.ON_TRACK
    elif projected >= target:
        status = ProgressStatus.AT_RISK
    else:
        status = ProgressStatus.OFF_TRACK

    return Progress(
        target=target,
        achieved=achieved,
        expected=round(expected, 1),
        percent=round(100 * achieved / target, 1) if target else None,
        run_rate=round(rate, 2),
        projected=round(projected, 1),
        status=status,
        by_month=by_month,
        awaiting_approval=awaiting,
    )
