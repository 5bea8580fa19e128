"""The progress export's sheet Rates: each site's outcome rates over a period, from the sums of
its counted returns (the sheet the programme page's rates table becomes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from core.tables import COUNT, DECIMAL, MONTH, NUMBER, RATE, Column, Table
from programme.models import Participation
from programme.reports import open_data
from programme.reports.exports.scope import PROGRAMME_COLUMNS, SITE_COLUMNS, ExportScope
from sites.outcomes import OutcomeTotals, Period, outcome_rates
from sites.queries import outcome_totals
from sites.returns.rules import FIGURES

if TYPE_CHECKING:
    from programme.reports.exports.progress import ProgressFigures

FIRST_CONTACT = "first_contact_within_4_weeks"
RATE_COLUMNS = (
    *PROGRAMME_COLUMNS,
    *SITE_COLUMNS[:2],
    Column("first_month", MONTH, 10, label="From"),
    Column("last_month", MONTH, 10, label="To"),
    Column("months_reported", NUMBER, 10, label="Months reported"),
    Column("caseload", COUNT, 12, label="Caseload, summed over the months"),
    Column("in_work", COUNT, 12, label="In work, summed over the months"),
    Column("job_starts", COUNT, 11, label="Job starts"),
    Column("new_to_service", COUNT, 11, label=FIGURES["new_to_service"]),
    Column("first_contact_within_4_weeks", COUNT, 13, label=FIGURES[FIRST_CONTACT]),
    Column("job_starts_three_months_earlier", COUNT, 13, label="Job starts three months earlier"),
    Column("sustained_13_weeks", COUNT, 12, label=FIGURES["sustained_13_weeks"]),
    Column(
        "employment_specialists_fte",
        DECIMAL,
        15,
        label="Employment specialists (full-time equivalent), summed over the months",
    ),
    Column(
        "employment_rate",
        RATE,
        11,
        rate=open_data.Rate("in_work", "caseload"),
        label="Employment rate",
    ),
    Column(
        "job_start_rate",
        RATE,
        11,
        rate=open_data.Rate("job_starts", "caseload"),
        label="Job-start rate",
    ),
    Column(
        "sustainment_13_weeks",
        RATE,
        11,
        rate=open_data.Rate("sustained_13_weeks", "job_starts_three_months_earlier"),
        label="Sustained 13 weeks",
    ),
    Column(
        "contact_within_4_weeks",
        RATE,
        11,
        rate=open_data.Rate("first_contact_within_4_weeks", "new_to_service"),
        label="Contact within 4 weeks",
    ),
    Column(
        "caseload_per_specialist",
        DECIMAL,
        13,
        rate=open_data.Rate("caseload", "employment_specialists_fte", places=1),
        label="Caseload per full-time specialist",
        number_format="0.0",
    ),
)
RATE_TOTALS = (
    "caseload",
    "in_work",
    "job_starts",
    "new_to_service",
    "first_contact_within_4_weeks",
    "job_starts_three_months_earlier",
    "sustained_13_weeks",
    "employment_specialists_fte",
)
RATES = (
    "employment_rate",
    "job_start_rate",
    "sustainment_13_weeks",
    "contact_within_4_weeks",
    "caseload_per_specialist",
)


def rate_rows(
    figures: ProgressFigures, period: Period, counted: tuple[str, ...]
) -> Iterator[tuple[Any, ...]]:
    """Each site of each programme (once, whatever its participations) with the sums of its
    `counted` returns over `period` and the outcome rates the programme page shows: one query."""
    ids = [programme.id for programme, _ in figures.programmes]
    site_ids = sa.select(Participation.site_id).where(Participation.programme_id.in_(ids))
    totals = outcome_totals(site_ids, period.first, period.last, counted) if ids else {}
    for programme, _ in figures.programmes:
        seen: set[int] = set()
        for site in figures.sites[programme.id]:
            if site.site_id in seen:
                continue
            seen.add(site.site_id)
            sums = totals.get(site.site_id, OutcomeTotals())
            rates = outcome_rates(sums).rounded()
            yield (
                (programme.id, programme.name, site.site_id, site.site)
                + (period.first, period.last, sums.months_reported)
                + tuple(getattr(sums, name) for name in RATE_TOTALS)
                + tuple(getattr(rates, name) for name in RATES)
            )


def rates_sheet(figures: ProgressFigures, period: Period, scope: ExportScope) -> Table:
    """The sheet Rates of the progress XLSX, from the returns `scope` counts."""
    returns = "approved" if scope.approved_only else "submitted and approved"
    return Table(
        "rates",
        f"Each site's outcome rates over the period: {period.label}",
        RATE_COLUMNS,
        rate_rows(figures, period, scope.counted),
        (
            f"Each rate divides sums over the period's months of the site's {returns} "
            "returns, whether or not it took part then (as the programme page does). A rate "
            "is empty when there was nothing to divide by.",
            "Employment rate: in work over caseload. Job-start rate: job starts over "
            "caseload. Sustained 13 weeks: jobs sustained 13 weeks over the job starts of "
            "three months earlier. Contact within 4 weeks: first contact within 4 weeks "
            "over new to the service. Caseload per full-time specialist: IPS expects 20 "
            "or fewer.",
        ),
        sheet="Rates",
    )
