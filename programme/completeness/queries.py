"""Reporting completeness over a period, read in two queries whatever the number of sites and
months: the participations that say which months each site must report (the late returns'
windows, programme.late_returns.late_window), then the status and first submission of the
sites' returns in the period. Each expected month of each site is counted by the pure rule
(sites.returns.completeness.month_counts) against its due date (the late returns' due date)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from accounts.models import User
from accounts.scopes import programme_scope, site_scope
from core.extensions import db
from core.months import add_months, month_start, months_between, previous_month
from programme.figures import programme_run
from programme.late_returns import late_window, participations_with_names
from programme.models import Participation, Programme
from sites.models import REGIONS, MonthlyReturn, Site
from sites.returns.completeness import Completeness, month_counts, total
from sites.returns.queries import return_due_date

# Due dates are working days in England and Wales: a return sent at 00:30 on the day after its
# due date, British Summer Time, was sent late even though it was still the due date in UTC.
ENGLAND = ZoneInfo("Europe/London")
PERIOD_MONTHS = 12


@dataclass(frozen=True)
class CompletenessFilters:
    """The months from `first` to `last` (month starts) of the sites taking part in
    `programme_id` (any programme when None) in `region` (or only `site_id`); `site_ids` and
    `programme_ids` are the user's scopes as selects of ids (None: everything)."""

    first: date
    last: date
    programme_id: int | None = None
    region: str | None = None
    site_ids: sa.Select[Any] | None = None
    programme_ids: sa.Select[Any] | None = None
    site_id: int | None = None  # only this site


@dataclass(frozen=True)
class SiteCompleteness:
    site_id: int
    name: str
    organisation: str
    region: str
    counts: Completeness


@dataclass(frozen=True)
class ProgrammeCompleteness:
    programme_id: int
    name: str
    counts: Completeness  # the months each site took part in this programme


@dataclass(frozen=True)
class RegionCompleteness:
    region: str
    counts: Completeness  # each site once a month, whatever its programmes

    @property
    def name(self) -> str:
        return REGIONS.get(self.region, self.region)


@dataclass(frozen=True)
class MonthCompleteness:
    month: date
    counts: Completeness


@dataclass(frozen=True)
class CompletenessReport:
    """`counted_to` is the last month counted: `last`, or the last month that has ended when
    `last` is later (None when no month of the period has ended)."""

    first: date
    last: date
    counted_to: date | None
    total: Completeness
    sites: list[SiteCompleteness]
    programmes: list[ProgrammeCompleteness]
    regions: list[RegionCompleteness]
    months: list[MonthCompleteness]


def last_ended_month(today: date) -> date:
    return previous_month(month_start(today))


def default_months(programme: Programme | None, today: date) -> tuple[date, date]:
    """The period read when none is chosen: a programme that has ended, its own run; otherwise
    the last 12 months that have ended."""
    if programme is not None and programme.ends_on < today:
        run = programme_run(programme, today)
        return run.first, run.last
    last = last_ended_month(today)
    return add_months(last, 1 - PERIOD_MONTHS), last


def period_months(
    first: date | None, last: date | None, programme: Programme | None, today: date
) -> tuple[date, date]:
    """The months read for a `first` and a `last` month that may be missing: neither, the
    default period; only the first, to the last month that has ended; only the last, the 12
    months to it."""
    if first is None and last is None:
        return default_months(programme, today)
    if last is None:
        assert first is not None
        return first, max(first, last_ended_month(today))
    if first is None:
        return add_months(last, 1 - PERIOD_MONTHS), last
    return first, last


def submitted_on(moment: datetime | None) -> date | None:
    """The day in England and Wales a return was first submitted (a naive time is UTC, as
    SQLite hands back what was stored in UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ENGLAND).date()


def _conditions(filters: CompletenessFilters) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if filters.programme_id is not None:
        conditions.append(Participation.programme_id == filters.programme_id)
    if filters.region is not None:
        conditions.append(Site.region == filters.region)
    if filters.site_id is not None:
        conditions.append(Participation.site_id == filters.site_id)
    if filters.site_ids is not None:
        conditions.append(Participation.site_id.in_(filters.site_ids))
    if filters.programme_ids is not None:
        conditions.append(Participation.programme_id.in_(filters.programme_ids))
    return conditions


def _returns(
    conditions: list[sa.ColumnElement[bool]], first: date, last: date
) -> dict[tuple[int, date], tuple[str, date | None]]:
    """(site, month) -> (status, day first submitted) of the returns in the period of the sites
    in the filters. A return submitted before first_submitted_at was recorded counts from its
    latest submission."""
    sites = (
        sa.select(Participation.site_id)
        .join(Site, Site.id == Participation.site_id)
        .where(*conditions)
    )
    rows = db.session.execute(
        sa.select(
            MonthlyReturn.site_id,
            MonthlyReturn.month,
            MonthlyReturn.status,
            sa.func.coalesce(MonthlyReturn.first_submitted_at, MonthlyReturn.submitted_at),
        ).where(MonthlyReturn.site_id.in_(sites), MonthlyReturn.month.between(first, last))
    )
    return {(site_id, month): (status, submitted_on(at)) for site_id, month, status, at in rows}


def reporting_completeness(filters: CompletenessFilters, today: date) -> CompletenessReport:
    """The counts of the sites in `filters` over its months, up to the last month that has
    ended: per site (each month once, whatever its programmes), per programme (the months each
    site took part in it), per region (its sites' counts) and per month. Two queries."""
    first, last = month_start(filters.first), month_start(filters.last)
    counted_to = min(last, last_ended_month(today))
    if counted_to < first:
        return CompletenessReport(first, last, None, Completeness(), [], [], [], [])
    conditions = _conditions(filters)
    sites: dict[int, tuple[str, str, str]] = {}
    programmes: dict[int, str] = {}
    expected: dict[int, set[date]] = defaultdict(set)
    expected_in: dict[int, dict[int, set[date]]] = defaultdict(lambda: defaultdict(set))
    for site_id, name, organisation, region, programme_id, programme, *dates in db.session.execute(
        participations_with_names(conditions)
    ):
        window_first, window_last = late_window(*dates, counted_to)
        months = months_between(max(window_first, first), window_last)
        if not months:
            continue
        sites[site_id] = (name, organisation, region)
        programmes[programme_id] = programme
        expected[site_id].update(months)
        expected_in[programme_id][site_id].update(months)
    returns = _returns(conditions, first, counted_to) if sites else {}

    due_on = {month: return_due_date(month) for month in months_between(first, counted_to)}
    counted: dict[tuple[int, date], Completeness] = {}
    for site_id, months in expected.items():
        for month in months:
            status, sent_on = returns.get((site_id, month), (None, None))
            counted[site_id, month] = month_counts(status, sent_on, due_on[month])

    site_rows = [
        SiteCompleteness(
            site_id,
            *sites[site_id],
            total([counted[site_id, month] for month in months]),
        )
        for site_id, months in expected.items()
    ]
    site_rows.sort(key=lambda row: (row.name.casefold(), row.site_id))
    by_region: dict[str, list[Completeness]] = defaultdict(list)
    for row in site_rows:
        by_region[row.region].append(row.counts)
    by_month: dict[date, list[Completeness]] = defaultdict(list)
    for (_, month), counts in counted.items():
        by_month[month].append(counts)
    programme_rows = [
        ProgrammeCompleteness(
            programme_id,
            programmes[programme_id],
            total([counted[site_id, m] for site_id, months in in_it.items() for m in months]),
        )
        for programme_id, in_it in expected_in.items()
    ]
    programme_rows.sort(key=lambda row: (row.name.casefold(), row.programme_id))
    return CompletenessReport(
        first=first,
        last=last,
        counted_to=counted_to,
        total=total([row.counts for row in site_rows]),
        sites=site_rows,
        programmes=programme_rows,
        regions=[
            RegionCompleteness(region, total(by_region[region]))
            for region in [*REGIONS, *sorted(set(by_region) - set(REGIONS))]
            if region in by_region
        ],
        months=[
            MonthCompleteness(month, total(by_month.get(month, [])))
            for month in months_between(first, counted_to)
        ],
    )


def scoped_filters(
    user: User, first: date, last: date, programme_id: int | None, region: str | None
) -> CompletenessFilters:
    """The filters as `user` may read them: the sites in its scope (a trainer's assigned sites,
    a site lead's own, a funder's programmes' sites), and for a funder only the months they
    took part in the programmes it funds."""
    return CompletenessFilters(
        first,
        last,
        programme_id=programme_id,
        region=region,
        site_ids=site_scope(user),
        programme_ids=programme_scope(user),
    )


def programme_completeness(programme_id: int, first: date, last: date, today: date) -> Completeness:
    """The programme's own counts over the months (a summary of the programme, as its progress
    is, whoever reads it): two queries, whatever the number of its sites."""
    filters = CompletenessFilters(first, last, programme_id=programme_id)
    return reporting_completeness(filters, today).total
