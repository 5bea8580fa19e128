"""The progress export: each programme's progress and its sites' job starts. In CSV one table
(programme rows each followed by its sites' rows, told apart by `level`); in XLSX a sheet per
table: Summary, By quarter and year, Sites and Rates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

import sqlalchemy as sa

from core.extensions import db
from core.months import financial_year_start
from core.tables import (
    COUNT,
    DATE,
    DECIMAL,
    MONTH,
    NUMBER,
    PERCENT,
    TEXT,
    Column,
    Table,
)
from programme.figures import took_part_until
from programme.models import Funder, Participation, Programme
from programme.progress import STATUS_LABELS, Progress
from programme.queries import counted_months, progress_of
from programme.reports import open_data
from programme.reports.exports.rates import rates_sheet
from programme.reports.exports.scope import (
    PROGRAMME_COLUMNS,
    SITE_COLUMNS,
    TITLES,
    ExportScope,
    of_sites,
)
from sites.models import (
    MonthlyReturn,
    Organisation,
    Site,
)
from sites.outcomes import last_12_months
from sites.queries import awaiting_approval, of_statuses

WHOLE = "#,##0"  # job starts expected or projected are shown as whole people
ACHIEVED_OF_TARGET = open_data.Rate("achieved", "target", scale=100, places=1)
PROGRESS_COLUMNS = (
    Column("level", TEXT, 10),
    *PROGRAMME_COLUMNS,
    Column("funder", TEXT, 28),
    Column("starts_on", DATE, 12),
    Column("ends_on", DATE, 12),
    *SITE_COLUMNS,
    Column("joined_on", DATE, 12),
    Column("left_on", DATE, 12),
    Column("target", NUMBER, 10),
    Column("achieved", COUNT, 10),
    Column("expected", DECIMAL, 10),
    Column("percent", PERCENT, 10, rate=ACHIEVED_OF_TARGET),
    Column("status", TEXT, 12),
    Column("awaiting_approval", COUNT, 10),  # of achieved: in submitted, not approved, returns
    Column("basis", TEXT, 24),  # which returns count: BASIS
)
# The CSV's `basis` column: which returns the figures count (DESIGN.md, "Approval").
BASIS = {True: "approved", False: "submitted_and_approved"}


def _percent(part: int, whole: int | None) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class SiteProgress:
    """A participation's row: `left_on` is the last day it took part (figures.took_part_until:
    the programme's end for a site that stayed to the end of a programme that has ended)."""

    programme_id: int
    site_id: int
    site: str
    organisation: str
    region: str
    joined_on: date
    left_on: date | None
    site_target: int | None
    achieved: int
    awaiting_approval: int = 0  # of achieved

    @property
    def site_columns(self) -> tuple[Any, ...]:
        return (self.site_id, self.site, self.organisation, self.region)


@dataclass(frozen=True)
class ProgressFigures:
    programmes: list[tuple[Programme, str]]  # with the funder's name, newest first
    progress: dict[int, Progress]
    sites: dict[int, list[SiteProgress]]  # by programme id, A to Z


def progress_figures(scope: ExportScope) -> ProgressFigures:
    """The programmes in scope, their progress on `scope.on` and their sites' job starts.

    Scoped by programme, as the programme page is: its sites' figures are the programme's
    summary, which every role that may read the programme reads (a funder: only its own)."""
    query = (
        sa.select(Programme, Funder.name)
        .join(Funder, Funder.id == Programme.funder_id)
        .order_by(Programme.starts_on.desc(), Programme.name, Programme.id)
    )
    if scope.programme_ids is not None:
        query = query.where(Programme.id.in_(scope.programme_ids))
    if scope.programme_id is not None:
        query = query.where(Programme.id == scope.programme_id)
    if scope.site_id is not None:
        query = query.where(
            Programme.id.in_(
                sa.select(Participation.programme_id).where(Participation.site_id == scope.site_id)
            )
        )
    programmes = [(programme, funder) for programme, funder in db.session.execute(query)]
    ids = [programme.id for programme, _ in programmes]
    progress = progress_of([programme for programme, _ in programmes], scope.on, scope.counted)

    r, p, g = MonthlyReturn, Participation, Programme
    starts_query = (
        sa.select(p.id, sa.func.sum(r.job_starts), awaiting_approval(r.job_starts))
        .join(g, g.id == p.programme_id)
        .join(r, r.site_id == p.site_id)
        .where(
            p.programme_id.in_(ids),
            of_statuses(scope.counted),
            r.month <= scope.on,
            *counted_months(),
            *of_sites(p.site_id, scope, scoped=False),
        )
        .group_by(p.id)
    )
    starts = {
        pid: (int(total or 0), int(waiting or 0))
        for pid, total, waiting in db.session.execute(starts_query)
    }
    sites_query = (
        sa.select(p, Site.name, Organisation.name, Site.region)
        .join(Site, Site.id == p.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(p.programme_id.in_(ids), *of_sites(p.site_id, scope, scoped=False))
        .order_by(Site.name, Site.id, p.joined_on, p.id)
    )
    by_id = {programme.id: programme for programme, _ in programmes}
    sites: dict[int, list[SiteProgress]] = {pid: [] for pid in ids}
    for participation, site, organisation, region in db.session.execute(sites_query):
        programme = by_id[participation.programme_id]
        sites[programme.id].append(
            SiteProgress(
                programme_id=programme.id,
                site_id=participation.site_id,
                site=site,
                organisation=organisation,
                region=region,
                joined_on=participation.joined_on,
                left_on=took_part_until(participation.left_on, programme, scope.on),
                site_target=participation.site_target,
                achieved=starts.get(participation.id, (0, 0))[0],
                awaiting_approval=starts.get(participation.id, (0, 0))[1],
            )
        )
    return ProgressFigures(programmes, progress, sites)


def progress_table(figures: ProgressFigures, scope: ExportScope) -> Table:
    """The CSV: programme rows (level "programme") each followed by its sites' rows (level
    "site"); a site's target is its participation's, its achieved the job starts the programme
    counted. Every row says which returns it counts (`basis`) and how many of its job starts
    await approval."""
    basis = BASIS[scope.approved_only]

    def rows() -> Iterator[tuple[Any, ...]]:
        for programme, funder in figures.programmes:
            progress = figures.progress[programme.id]
            head = ("programme", programme.id, programme.name, funder)
            head += (programme.starts_on, programme.ends_on)
            yield (
                head
                + (None,) * 6
                + (
                    progress.target,
                    progress.achieved,
                    round(progress.expected, 1),
                    None if progress.percent is None else round(progress.percent, 1),
                    progress.status,
                    progress.awaiting_approval,
                    basis,
                )
            )
            for site in figures.sites[programme.id]:
                yield (
                    ("site", programme.id, programme.name, funder, None, None)
                    + site.site_columns
                    + (site.joined_on, site.left_on, site.site_target)
                    + (site.achieved, None, _percent(site.achieved, site.site_target), None)
                    + (site.awaiting_approval, basis)
                )

    notes = (
        f"Progress on {scope.on.isoformat()}. A programme row is followed by its sites' rows.",
        "basis: the returns counted, approved (a funder's and open data's figures) or "
        "submitted_and_approved; awaiting_approval: of the job starts achieved, those in "
        "returns submitted and not yet approved.",
        "A site's achieved counts its job starts while it took part; its target is its own.",
        "A site's left_on is the last day it took part: the programme's end for a site that "
        "stayed to the end of a programme that has ended, empty while it still takes part.",
    )
    return Table("progress", TITLES["progress"], PROGRESS_COLUMNS, rows(), notes)


# Progress in XLSX: a sheet per table ----------------------------------------------------------

SUMMARY_COLUMNS = (
    *PROGRAMME_COLUMNS,
    Column("funder", TEXT, 28, label="Funder"),
    Column("starts_on", DATE, 13, label="Starts"),
    Column("ends_on", DATE, 13, label="Ends"),
    Column("status", TEXT, 14, label="Status", labels=STATUS_LABELS),
    Column("target", NUMBER, 11, label="Job-start target"),
    Column("achieved", COUNT, 11, label="Job starts achieved"),
    Column("percent", PERCENT, 11, rate=ACHIEVED_OF_TARGET, label="Percent of target"),
    Column("expected", DECIMAL, 11, label="Expected by today", number_format=WHOLE),
    Column("sites", NUMBER, 8, label="Sites"),
)
# Staff's figures only: a funder's and open data's count approved returns alone.
AWAITING_COLUMN = Column("awaiting_approval", COUNT, 11, label="Of which awaiting approval")
# Worked out from the job starts of a few months: exact figures only, never published.
ESTIMATE_COLUMNS = (
    Column("run_rate", DECIMAL, 14, label="Run rate (job starts a month)", number_format="0.0"),
    Column("projected", DECIMAL, 12, label="Projected by the end", number_format=WHOLE),
)

CUMULATIVE_OF_TARGET = open_data.Rate("cumulative", "target", scale=100, places=1)
QUARTER_COLUMNS = (
    *PROGRAMME_COLUMNS,
    Column("financial_year", TEXT, 10, label="Financial year"),
    Column("quarter", TEXT, 9, label="Quarter"),
    Column("first_month", MONTH, 10, label="From"),
    Column("last_month", MONTH, 10, label="To"),
    Column("job_starts", COUNT, 11, label="Job starts"),
    Column("year_to_date", COUNT, 14, label="Job starts so far this financial year"),
    Column("cumulative", COUNT, 14, label="Job starts since the programme began"),
    Column("expected", DECIMAL, 14, label="Expected by then", number_format=WHOLE),
    Column("target", NUMBER, 11, label="Job-start target"),
    Column("percent", PERCENT, 11, rate=CUMULATIVE_OF_TARGET, label="Percent of target"),
)
AHEAD_COLUMN = Column(
    "ahead", DECIMAL, 16, label="Ahead of expected (behind if negative)", number_format="+0;-0;0"
)
YEAR = "Year"  # the quarter column of a financial year's row

SITES_COLUMNS = (
    *PROGRAMME_COLUMNS,
    *SITE_COLUMNS,
    Column("joined_on", DATE, 13, label="Took part from"),
    Column("left_on", DATE, 13, label="Took part until"),
    Column("target", NUMBER, 10, label="Site target"),
    Column("achieved", COUNT, 11, label="Job starts"),
    Column("percent", PERCENT, 11, rate=ACHIEVED_OF_TARGET, label="Percent of site target"),
)


def financial_year_name(start: date) -> str:
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def financial_quarter(month: date) -> int:
    """1 to 4: NHS financial years run from April, so Q1 is April to June."""
    return (month.month - 4) % 12 // 3 + 1


def quarter_rows(programme: Programme, progress: Progress) -> Iterator[tuple[Any, ...]]:
    """The programme's months up to today in NHS financial quarters (Q1 is April to June), each
    financial year followed by a row of its own: job starts, those so far in the year and since
    the programme began, and the job starts expected by the end of the last month (from the
    target profile; the target spread evenly when there is none)."""
    target = progress.target
    head = (programme.id, programme.name)
    for year_start, in_year in groupby(progress.by_month, lambda p: financial_year_start(p.month)):
        months = list(in_year)
        name = financial_year_name(year_start)
        so_far = 0
        for quarter, in_quarter in groupby(months, lambda p: financial_quarter(p.month)):
            points = list(in_quarter)
            job_starts = sum(point.job_starts for point in points)
            so_far += job_starts
            last = points[-1]
            yield (
                head
                + (name, f"Q{quarter}", points[0].month, last.month)
                + (
                    job_starts,
                    so_far,
                    last.cumulative,
                    last.expected,
                    target,
                    _percent(last.cumulative, target),
                    round(last.cumulative - last.expected, 1),
                )
            )
        last = months[-1]
        yield (
            head
            + (name, YEAR, months[0].month, last.month)
            + (
                so_far,
                so_far,
                last.cumulative,
                last.expected,
                target,
                _percent(last.cumulative, target),
                round(last.cumulative - last.expected, 1),
            )
        )


def progress_sheets(figures: ProgressFigures, scope: ExportScope) -> list[Table]:
    """The XLSX's tables: Summary, By quarter and year, Sites and Rates."""
    exact = not scope.open_data
    awaiting = not scope.approved_only
    period = scope.period or last_12_months(scope.on)
    on = f"{scope.on.day} {scope.on:%B %Y}"
    returns = "approved" if scope.approved_only else "submitted and approved"

    def summary() -> Iterator[tuple[Any, ...]]:
        for programme, funder in figures.programmes:
            progress = figures.progress[programme.id]
            sites = len({site.site_id for site in figures.sites[programme.id]})
            row = (programme.id, programme.name, funder, programme.starts_on, programme.ends_on)
            row += (progress.status, progress.target, progress.achieved)
            row += (progress.awaiting_approval,) if awaiting else ()
            row += (progress.percent, progress.expected, sites)
            yield row + ((progress.run_rate, progress.projected) if exact else ())

    def quarters() -> Iterator[tuple[Any, ...]]:
        for programme, _ in figures.programmes:
            for row in quarter_rows(programme, figures.progress[programme.id]):
                yield row if exact else row[:-1]

    def sites() -> Iterator[tuple[Any, ...]]:
        for programme, _ in figures.programmes:
            for site in figures.sites[programme.id]:
                yield (
                    (programme.id, programme.name)
                    + site.site_columns
                    + (site.joined_on, site.left_on, site.site_target, site.achieved)
                    + (_percent(site.achieved, site.site_target),)
                )

    summary_footer = (
        f"{'Approved' if scope.approved_only else 'Submitted and approved'} figures as at {on}: "
        f"progress from the {returns} monthly returns of each site while it took part.",
        f"Period: {period.label}. The sheet Rates reads each site's returns over it.",
    )
    achieved_at = next(i for i, c in enumerate(SUMMARY_COLUMNS) if c.name == "achieved") + 1
    summary_columns = (
        SUMMARY_COLUMNS[:achieved_at]
        + ((AWAITING_COLUMN,) if awaiting else ())
        + SUMMARY_COLUMNS[achieved_at:]
    )
    return [
        Table(
            "summary",
            "Each programme's headline figures",
            summary_columns + (ESTIMATE_COLUMNS if exact else ()),
            summary(),
            (
                f"Progress on {on}. Expected: the job starts the target profile expects by "
                "today (the target spread evenly over the programme when it has no profile).",
                "Run rate: the mean job starts a month over the last 6 complete months; "
                "projected: achieved plus the run rate for each month left.",
            ),
            sheet="Summary",
            footer=summary_footer,
        ),
        Table(
            "quarters",
            "Job starts by quarter and financial year against the target profile",
            QUARTER_COLUMNS + ((AHEAD_COLUMN,) if exact else ()),
            quarters(),
            (
                "Financial years run from April to March; Q1 is April to June. Each year's "
                f"quarters are followed by a row for the year (quarter {YEAR!r}).",
                "Expected by then: the job starts the target profile expects by the end of the "
                "last month (the target spread evenly when there is no profile). For a "
                f"programme still running the months run to today ({on}), so its last quarter "
                "may not be complete.",
            ),
            sheet="By quarter and year",
        ),
        Table(
            "sites",
            "Each site's job starts while it took part, against its own target",
            SITES_COLUMNS,
            sites(),
            (
                "Took part until: the day a site left, or the programme's end for a site that "
                "stayed to the end of a programme that has ended; empty while it takes part.",
            ),
            sheet="Sites",
        ),
        rates_sheet(figures, period, scope),
    ]
