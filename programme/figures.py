"""The figures the programme page and the network summary show, late returns among them: each
site's job starts inside participation, and the whole network at a glance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from core.extensions import db
from core.months import add_months, month_start
from programme import figures, queries
from programme.charts import progress_chart
from programme.late_returns import late_returns
from programme.models import PARTICIPATION_ROLES, Participation, Programme
from programme.progress import STATUS_LABELS, ProgressStatus, status_explained
from programme.queries import participating_returns, progress_of
from sites.models import MonthlyReturn, Organisation, ReturnStatus, Site
from sites.outcomes import (
    OutcomeTotals,
    Period,
    chosen_period,
    outcome_rates,
    period_choices,
    with_choice,
)
from sites.queries import awaiting_approval, of_statuses, outcome_totals
from sites.returns.workflow import COUNTED, COUNTED_FOR_FUNDERS
from training.fidelity.queries import latest_bands
from training.fidelity.scale import BANDS


@dataclass(frozen=True)
class SiteFigures:
    site_id: int
    name: str
    organisation: str
    region: str
    joined_on: date
    left_on: date | None
    site_target: int | None
    job_starts: int
    late_returns: int
    awaiting_approval: int = 0  # of its job starts
    role: str = "new_service"  # its part in the programme: PARTICIPATION_ROLES


def programme_sites(
    programme: Programme, on: date, counted: Sequence[str] = COUNTED
) -> list[SiteFigures]:
    """The programme's sites with their job starts inside participation (of the `counted`
    returns, and how many of them await approval) and late returns."""
    starts_query = (
        participating_returns(counted)
        .add_columns(
            Participation.id,
            sa.func.sum(MonthlyReturn.job_starts),
            awaiting_approval(MonthlyReturn.job_starts),
        )
        .where(Participation.programme_id == programme.id, MonthlyReturn.month <= on)
        .group_by(Participation.id)
    )
    starts = {
        pid: (int(total or 0), int(waiting or 0))
        for pid, total, waiting in db.session.execute(starts_query)
    }
    late = late_returns(on, programme_id=programme.id)
    rows = db.session.execute(
        sa.select(Participation, Site.name, Organisation.name, Site.region)
        .join(Site, Site.id == Participation.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(Participation.programme_id == programme.id)
        .order_by(Site.name, Participation.joined_on)
    )
    return [
        SiteFigures(
            site_id=p.site_id,
            name=site_name,
            organisation=organisation,
            region=region,
            joined_on=p.joined_on,
            left_on=p.left_on,
            site_target=p.site_target,
            job_starts=starts.get(p.id, (0, 0))[0],
            late_returns=late.get(p.site_id, 0),
            awaiting_approval=starts.get(p.id, (0, 0))[1],
            role=p.role,
        )
        for p, site_name, organisation, region in rows
    ]


@dataclass(frozen=True)
class NetworkSummary:
    sites: int
    active_sites: int
    closed_sites: int
    centres_of_excellence: int
    programmes_by_status: dict[str, int]
    job_starts_this_year: int
    job_starts_total: int
    financial_year_starts_on: date
    late_returns: int
    sites_with_late_returns: int
    awaiting_approval_this_year: int = 0  # of the job starts this financial year
    awaiting_approval_total: int = 0
    approved_only: bool = False  # a funder's figures: approved returns only


def network_summary(today: date, counted: Sequence[str] = COUNTED) -> NetworkSummary:
    """The network at a glance, its job starts from the `counted` returns (the reader's)."""
    from core.months import financial_year_start
    from sites.models import Designation

    site_counts = db.session.execute(
        sa.select(
            sa.func.count(Site.id),
            sa.func.count(Site.id).filter(Site.closed_on.is_not(None), Site.closed_on <= today),
            sa.func.count(Site.id).filter(
                sa.or_(Site.launched_on.is_(None), Site.launched_on <= today),
                sa.or_(Site.closed_on.is_(None), Site.closed_on > today),
            ),
        )
    ).one()
    centres = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Designation.site_id))).where(
            Designation.awarded_on <= today,
            sa.or_(Designation.ended_on.is_(None), Designation.ended_on > today),
        )
    )
    year_start = financial_year_start(today)
    in_year = MonthlyReturn.month >= year_start
    in_year_awaiting = sa.and_(in_year, MonthlyReturn.status == ReturnStatus.SUBMITTED)
    total, this_year, awaiting_total, awaiting_this_year = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(MonthlyReturn.job_starts), 0),
            sa.func.coalesce(sa.func.sum(MonthlyReturn.job_starts).filter(in_year), 0),
            awaiting_approval(MonthlyReturn.job_starts),
            sa.func.coalesce(sa.func.sum(MonthlyReturn.job_starts).filter(in_year_awaiting), 0),
        ).where(of_statuses(counted))
    ).one()
    programmes = db.session.scalars(sa.select(Programme)).all()
    by_status = dict.fromkeys(ProgressStatus, 0)
    for progress in progress_of(programmes, today, counted).values():
        by_status[progress.status] += 1
    late = late_returns(today)
    return NetworkSummary(
        sites=site_counts[0],
        closed_sites=site_counts[1],
        active_sites=site_counts[2],
        centres_of_excellence=centres or 0,
        programmes_by_status=by_status,
        job_starts_this_year=int(this_year),
        job_starts_total=int(total),
        financial_year_starts_on=year_start,
        late_returns=sum(late.values()),
        sites_with_late_returns=len(late),
        awaiting_approval_this_year=int(awaiting_this_year),
        awaiting_approval_total=int(awaiting_total),
        approved_only=approved_only(counted),
    )


def approved_only(counted: Sequence[str]) -> bool:
    """Whether figures of `counted` statuses are a funder's: approved returns only."""
    return tuple(counted) == COUNTED_FOR_FUNDERS


def programme_figures(
    programme: Programme, today: date, period: Period, counted: Sequence[str] = COUNTED
) -> dict[str, Any]:
    """What the programme page and its printable report both show: progress and its chart, each
    site's figures, outcome rates over `period` and latest fidelity band, from the `counted`
    returns (the reader's: workflow.counted_statuses)."""
    progress = queries.progress_of([programme], today, counted)[programme.id]
    sites = figures.programme_sites(programme, today, counted)
    site_ids = sa.select(Participation.site_id).where(Participation.programme_id == programme.id)
    totals = outcome_totals(site_ids, period.first, period.last, counted)
    return {
        "programme": programme,
        "progress": progress,
        "sites": sites,
        "period": period,
        "site_rates": {
            site.site_id: outcome_rates(totals.get(site.site_id, OutcomeTotals())) for site in sites
        },
        "fidelity": latest_bands(site_ids),
        "bands": BANDS,
        "roles": PARTICIPATION_ROLES,
        "labels": STATUS_LABELS,
        "chart": progress_chart(programme, progress, today, approved_only(counted)),
        "status_rule": status_explained(
            progress.status, programme.starts_on, programme.job_start_target
        ),
        "late_total": sum(s.late_returns for s in sites),
        "approved_only": approved_only(counted),
    }


RUN_SLUG = "programme"


def programme_run(programme: Programme, today: date) -> Period:
    """The months of the programme's own run, to its end or to the last complete month."""
    last = min(month_start(programme.ends_on), add_months(month_start(today), -1))
    first = min(month_start(programme.starts_on), last)
    label = f"The programme's run, {first:%B %Y} to {last:%B %Y}"
    return Period(first, last, label, RUN_SLUG)


def took_part_until(left_on: date | None, programme: Programme, today: date) -> date | None:
    """The last day a site took part: the day it left; for a site that stayed, the programme's
    end once the programme has ended ("to 31 March 2018"); None while it still takes part."""
    if left_on is not None:
        return left_on
    return programme.ends_on if programme.ends_on < today else None


def default_period(
    programme: Programme, slug: str | None, today: date
) -> tuple[Period, str | None, list[Period]]:
    """The period a programme's rates are read over, an error for a slug we do not know, and the
    choices: the programme's own run first. A programme that has ended defaults to its run; one
    still going, to the last 12 complete months."""
    run = programme_run(programme, today)
    choices = [run, *period_choices(today, programme.starts_on.year)]
    ended = programme.ends_on < today
    if slug == RUN_SLUG or (not slug and ended):
        return run, None, choices
    period, error = chosen_period(slug, today)
    if error and ended:  # a period we do not know: the programme's own default, as with none
        period = run
    return period, error, with_choice(choices, period)
