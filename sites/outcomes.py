"""A site's outcome rates over a period, and the periods they are read over. Pure: no Flask, no
SQLAlchemy. Months are named by their first day.

Each rate is a ratio of sums over the period's months, submitted returns only (DESIGN.md):

- employment rate = sum(in_work) / sum(caseload)
- job-start rate = sum(job_starts) / sum(caseload)
- 13-week sustainment = sum(sustained_13_weeks) / sum(job_starts of the month three months before
  each month of the period), i.e. the job starts of months [first - 3, last - 3]
- 4-week contact = sum(first_contact_within_4_weeks) / sum(new_to_service)
- caseload per specialist = sum(caseload) / sum(employment_specialists_fte): the mean monthly
  caseload per mean full-time specialist (a submitted return reports both); IPS expects 20 or fewer.

A rate whose denominator is zero is None ("not available"): never 0 and never an error. The four
rates are clamped to [0, 1], since odd data can push a ratio above 1 (more people sustained than
started three months before, when old data is incomplete); caseload per specialist is a count of
people, not a rate, and is not clamped. With no return in the period there is nothing sustained to
count, so sustainment is None even when the earlier months had job starts.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.months import add_months, financial_year_start, month_start

Number = int | float | Decimal

# The US IPS learning community's employment rate (people working / people served) across its
# programmes. The UK's 40% benchmark counts something else (out-of-work people who moved into
# work), so it is deliberately not set beside this rate.
EMPLOYMENT_RATE_AVERAGE = 0.41
EMPLOYMENT_RATE_EXCELLENT = 0.50
# The fidelity scale's caseload item scores 5 at 20 or fewer people per full-time specialist.
MAX_CASELOAD_PER_SPECIALIST = 20
# These two are judged against the network's own median for the same period.
MEDIAN_BENCHMARKED = ("sustainment_13_weeks", "contact_within_4_weeks")
BENCHMARKS: dict[str, dict[str, float]] = {
    "employment_rate": {"average": EMPLOYMENT_RATE_AVERAGE, "excellent": EMPLOYMENT_RATE_EXCELLENT},
    "caseload_per_specialist": {"at_most": MAX_CASELOAD_PER_SPECIALIST},
}

RATE_PLACES = 4  # the API's rates: 0..1 to 4 places
CASELOAD_PLACES = 1

# Periods before this year are refused: IPS reached the UK in the 2000s, and it keeps
# "three months earlier" well inside the calendar.
MIN_YEAR = 1990
LAST_12_MONTHS = "last-12-months"
_YEAR = re.compile(r"[0-9]{4}")
_FINANCIAL_YEAR = re.compile(r"(?:fy-)?([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True)
class OutcomeTotals:
    """Sums of a site's counted returns over a period (0 when it sent none): submitted and
    approved for staff, approved only for funders (workflow.counted_statuses)."""

    referrals: int = 0
    caseload: int = 0
    new_to_service: int = 0
    first_contact_within_4_weeks: int = 0
    job_starts: int = 0
    in_work: int = 0
    sustained_13_weeks: int = 0
    discharges: int = 0
    employment_specialists_fte: Decimal | float = Decimal(0)
    months_reported: int = 0
    # Job starts of the months three months before the period's months: sustainment's denominator.
    job_starts_three_months_earlier: int = 0
    # Of `job_starts`, those in submitted returns not yet approved.
    job_starts_awaiting_approval: int = 0


@dataclass(frozen=True)
class OutcomeRates:
    employment_rate: float | None
    job_start_rate: float | None
    sustainment_13_weeks: float | None
    contact_within_4_weeks: float | None
    caseload_per_specialist: float | None

    def rounded(self) -> OutcomeRates:
        """As the API reports them: rates to 4 places, caseload per specialist to 1."""
        return OutcomeRates(
            employment_rate=_round(self.employment_rate, RATE_PLACES),
            job_start_rate=_round(self.job_start_rate, RATE_PLACES),
            sustainment_13_weeks=_round(self.sustainment_13_weeks, RATE_PLACES),
            contact_within_4_weeks=_round(self.contact_within_4_weeks, RATE_PLACES),
            caseload_per_specialist=_round(self.caseload_per_specialist, CASELOAD_PLACES),
        )


@dataclass(frozen=True)
class MonthRates:
    """One month's employment and job-start rates, for a chart."""

    month: date
    employment_rate: float | None
    job_start_rate: float | None


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _ratio(numerator: Number, denominator: Number) -> float | None:
    if not denominator > 0:
        return None
    # Decimal arithmetic: exact for any size of int, and mixes ints, floats and Decimals.
    return float(Decimal(numerator) / Decimal(denominator))


def rate(numerator: Number, denominator: Number) -> float | None:
    """numerator / denominator clamped to [0, 1]; None when the denominator is 0 (or less)."""
    value = _ratio(numerator, denominator)
    return None if value is None else min(max(value, 0.0), 1.0)


def outcome_rates(totals: OutcomeTotals) -> OutcomeRates:
    sustained = (
        rate(totals.sustained_13_weeks, totals.job_starts_three_months_earlier)
        if totals.months_reported
        else None
    )
    return OutcomeRates(
        employment_rate=rate(totals.in_work, totals.caseload),
        job_start_rate=rate(totals.job_starts, totals.caseload),
        sustainment_13_weeks=sustained,
        contact_within_4_weeks=rate(totals.first_contact_within_4_weeks, totals.new_to_service),
        caseload_per_specialist=_ratio(totals.caseload, totals.employment_specialists_fte),
    )


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are not None; None when there are none."""
    present = [value for value in values if value is not None]
    return float(statistics.median(present)) if present else None


def network_medians(rates: Iterable[OutcomeRates]) -> dict[str, float | None]:
    """The median over sites of each median-benchmarked rate, counting sites with that rate."""
    rates = list(rates)
    return {name: median(getattr(r, name) for r in rates) for name in MEDIAN_BENCHMARKED}


def benchmarks(medians: dict[str, float | None]) -> dict[str, dict[str, float | None]]:
    """What each rate is shown against: fixed benchmarks and the network's medians."""
    return {
        "employment_rate": dict(BENCHMARKS["employment_rate"]),
        **{name: {"network_median": medians.get(name)} for name in MEDIAN_BENCHMARKED},
        "caseload_per_specialist": dict(BENCHMARKS["caseload_per_specialist"]),
    }


# Periods


def sustainment_base_months(first: date, last: date) -> tuple[date, date] | None:
    """The months [first - 3, last - 3] whose job starts 13-week sustainment over the months
    `first` to `last` divides by, cut at the calendar's start (None when none exist)."""
    earliest = date(1, 4, 1)  # the first month with a month three months before it
    if last < earliest:
        return None
    return (add_months(first, -3) if first >= earliest else date.min), add_months(last, -3)


@dataclass(frozen=True)
class Period:
    """Whole calendar months from `first` to `last`, both named by their first day."""

    first: date
    last: date
    label: str
    slug: str

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1


def last_12_months(today: date) -> Period:
    """The 12 months ending with the previous calendar month: the last 12 complete months."""
    last = add_months(month_start(today), -1)
    first = add_months(last, -11)
    return Period(
        first, last, f"Last 12 complete months ({first:%B %Y} to {last:%B %Y})", LAST_12_MONTHS
    )


def calendar_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 1), f"Calendar year {year}", str(year))


def _financial_year_name(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year(start_year: int) -> Period:
    """The NHS financial year from April `start_year` to March of the next year."""
    name = _financial_year_name(start_year)
    return Period(
        date(start_year, 4, 1), date(start_year + 1, 3, 1), f"Financial year {name}", f"fy-{name}"
    )


def parse_period(slug: object, today: date) -> Period | None:
    """The period a slug names: "last-12-months", a calendar year "2024" or a financial year
    "fy-2024-25" (or "2024-25"). None for anything else, for years before MIN_YEAR and for
    periods that start after `today`'s month; never raises, whatever the slug."""
    if not isinstance(slug, str):
        return None
    text = slug.strip().lower()
    if text == LAST_12_MONTHS:
        return last_12_months(today)
    if _YEAR.fullmatch(text):
        year = int(text)
        return calendar_year(year) if MIN_YEAR <= year <= today.year else None
    found = _FINANCIAL_YEAR.fullmatch(text)
    if found:
        start_year = int(found.group(1))
        if found.group(2) != f"{(start_year + 1) % 100:02d}":
            return None
        if MIN_YEAR <= start_year <= financial_year_start(today).year:
            return financial_year(start_year)
    return None


def period_choices(today: date, earliest_year: int) -> list[Period]:
    """The periods to offer: the last 12 complete months, then the financial years and the
    calendar years from today's back to those holding `earliest_year`, newest first."""
    earliest = min(max(earliest_year, MIN_YEAR), today.year)
    financial = range(financial_year_start(today).year, max(earliest - 1, MIN_YEAR) - 1, -1)
    calendar = range(today.year, earliest - 1, -1)
    return [
        last_12_months(today),
        *(financial_year(year) for year in financial),
        *(calendar_year(year) for year in calendar),
    ]


PERIOD_ERROR = "Choose a period from the list"


def chosen_period(slug: str | None, today: date) -> tuple[Period, str | None]:
    """The period a page was asked for, and an error message when the request named none we
    know: then the default, the last 12 complete months. No slug at all is the default."""
    if not slug:
        return last_12_months(today), None
    period = parse_period(slug, today)
    if period is None:
        return last_12_months(today), PERIOD_ERROR
    return period, None


def months_or_default(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The first and last months of a request that may leave either out: without `first`, the
    12 months ending with `last`; without `last`, up to the last complete month (or `first`,
    when that is later); with neither, the last 12 complete months."""
    if first is None:
        if last is None:
            period = last_12_months(today)
            return period.first, period.last
        last = month_start(last)
        return (add_months(last, -11) if last >= date(1, 12, 1) else date.min), last
    first = month_start(first)
    if last is None:
        return first, max(first, add_months(month_start(today), -1))
    return first, month_start(last)


def with_choice(choices: list[Period], chosen: Period) -> list[Period]:
    """`choices`, with `chosen` added at the end when it is not among them already."""
    return choices if chosen in choices else [*choices, chosen]
