"""The returns export: one row per counted monthly return (submitted and approved for staff,
approved only for funders and open data), every figure, the job starts by sector and the return's
status (whether it awaits approval)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from core.tables import (
    COUNT,
    DECIMAL,
    MONTH,
    TEXT,
    Column,
    Table,
)
from programme.models import Participation, Programme
from programme.queries import counted_months
from programme.reports.exports.scope import (
    SITE_COLUMNS,
    TITLES,
    ExportScope,
    in_programme,
    of_sites,
    period_note,
    stream,
)
from sites.models import (
    RETURN_COUNTS,
    SECTORS,
    MonthlyReturn,
    Organisation,
    ReturnSector,
    Site,
)
from sites.queries import of_statuses
from sites.returns.rules import FIGURES

# A counted return is submitted (awaiting approval) or approved.
STATUS_LABELS = {"submitted": "Awaiting approval", "approved": "Approved"}

RETURN_COLUMNS = (
    *SITE_COLUMNS,
    Column("month", MONTH, 10, label="Month"),
    *(Column(name, COUNT, 13, label=FIGURES[name]) for name in RETURN_COUNTS),
    Column("employment_specialists_fte", DECIMAL, 16, label=FIGURES["employment_specialists_fte"]),
    *(
        Column(f"job_starts_{sector}", COUNT, 14, label=f"Job starts: {label}")
        for sector, label in SECTORS.items()
    ),
    Column("status", TEXT, 18, label="Approval", labels=STATUS_LABELS),
)


def _counted_by_programme(programme_id: int) -> Any:
    """The return's month is one the programme counts: inside its period and the site's
    participation (programme.queries.counted_months, the rule of the programme's achieved)."""
    r, p, g = MonthlyReturn, Participation, Programme
    return (
        sa.exists()
        .where(
            p.site_id == r.site_id,
            p.programme_id == programme_id,
            g.id == p.programme_id,
            *counted_months(),
        )
        .correlate(r)
    )


def returns_table(scope: ExportScope) -> Table:
    r = MonthlyReturn

    def of_scope(returns: Any) -> list[Any]:
        # The programme's sites as a plain IN beside the EXISTS below: an index can pick rows by it.
        conditions = of_sites(returns.site_id, scope)
        if scope.programme_id is not None:
            conditions.append(in_programme(returns.site_id, scope.programme_id))
        if scope.period is not None:
            conditions.append(returns.month.between(scope.period.first, scope.period.last))
        return conditions

    # Job starts by sector, one column each; NULL for a return that recorded no sectors. Only the
    # sectors of the returns in scope are pivoted, not the whole table's.
    sectored = aliased(MonthlyReturn)
    sectors = (
        sa.select(
            ReturnSector.return_id,
            *(
                sa.func.sum(
                    sa.case((ReturnSector.sector == sector, ReturnSector.job_starts), else_=0)
                ).label(sector)
                for sector in SECTORS
            ),
        )
        .join(sectored, sectored.id == ReturnSector.return_id)
        .where(*of_scope(sectored))
        .group_by(ReturnSector.return_id)
        .subquery("sectors")
    )
    query = (
        sa.select(
            Site.id,
            Site.name,
            Organisation.name,
            Site.region,
            r.month,
            *(getattr(r, name) for name in RETURN_COUNTS),
            r.employment_specialists_fte,
            *(sectors.c[sector] for sector in SECTORS),
            r.status,
        )
        .join(Site, Site.id == r.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .outerjoin(sectors, sectors.c.return_id == r.id)
        .where(of_statuses(scope.counted), *of_scope(r))
        .order_by(Site.name, Site.id, r.month)
    )
    if scope.programme_id is not None:
        query = query.where(_counted_by_programme(scope.programme_id))
    rows = (tuple(row) for row in stream(query))
    if scope.approved_only:
        notes: tuple[str, ...] = ("One row per approved monthly return.",)
    else:
        notes = (
            "One row per submitted or approved monthly return; the column status says which "
            "(submitted: awaiting approval).",
        )
    if scope.programme_id is not None:
        notes += ("Only the months the programme counts: inside its dates and each site's.",)
    notes += period_note(scope, "the months")
    return Table("returns", TITLES["returns"], RETURN_COLUMNS, rows, notes)
