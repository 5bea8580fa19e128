"""The tables of figures as rows, and their CSV and XLSX files (GET /exports/{name}.csv|.xlsx).

Three tables, each read by one query (progress: four, whatever the number of programmes):
- returns: one row per submitted monthly return, every figure and the job starts by sector;
- progress: per programme its target, achieved, expected, percent and status, each followed by
  one row per participation of a site with the job starts it counted;
- fidelity: every final fidelity review of each site, with the item scores for those who may see
  them (not funders, not open data).

Scope comes from portal.permissions as selects of ids, so a funder's export holds only its own
programmes' sites. `?programme_id=` narrows each table to one programme: its sites' returns in the
months the programme counts (so the returns' job starts add up to the programme's achieved),
its progress rows, its sites' reviews. `?site_id=` narrows to one site.

The open-data form (`open_data=True`) passes each row through programme.open_data: counts of
people and events are suppressed or rounded; ids, dates, scores, targets and staff numbers are
not; the percent of target is worked out again from the published count, or left out.

CSV is streamed row by row; XLSX is written with openpyxl's write-only workbook to a temporary
file (typed numbers, real date cells, a bold and frozen header row, column widths).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, abort
from sqlalchemy.orm import aliased

from accounts.models import User
from accounts.scopes import programme_scope, site_scope
from core.extensions import db
from core.sql import sql_month_start
from core.tables import (
    BATCH,
    CONTENT_TYPES,
    COUNT,
    DATE,
    DECIMAL,
    ID,
    MONTH,
    NUMBER,
    PERCENT,
    TEXT,
    Column,
    Table,
    download,
)
from programme.models import Funder, Participation, Programme
from programme.queries import counted_months, get_programme_or_404, progress_of
from programme.reports import open_data
from sites.models import (
    RETURN_COUNTS,
    SECTORS,
    MonthlyReturn,
    Organisation,
    ReturnSector,
    ReturnStatus,
    Site,
)
from sites.queries import get_site_or_404
from training.fidelity import scale as fidelity
from training.fidelity import scoring
from training.models import FidelityReview, FidelityScore, ReviewStatus

NAMES = ("returns", "progress", "fidelity")


@dataclass(frozen=True)
class ExportScope:
    """What an export may hold: `site_ids` and `programme_ids` are the user's scopes (None: all);
    `programme_id` and `site_id` narrow it further."""

    on: date
    site_ids: sa.Select | None = None
    programme_ids: sa.Select | None = None
    programme_id: int | None = None
    site_id: int | None = None
    item_scores: bool = True


def _stream(query: sa.Select) -> Iterator[sa.Row[Any]]:
    yield from db.session.execute(query, execution_options={"yield_per": BATCH})


def _of_sites(column: Any, scope: ExportScope, *, scoped: bool = True) -> list[Any]:
    conditions = []
    if scoped and scope.site_ids is not None:
        conditions.append(column.in_(scope.site_ids))
    if scope.site_id is not None:
        conditions.append(column == scope.site_id)
    return conditions


def _in_programme(site_column: Any, programme_id: int) -> Any:
    """Sites that take or took part in the programme."""
    return site_column.in_(
        sa.select(Participation.site_id).where(Participation.programme_id == programme_id)
    )


# Returns --------------------------------------------------------------------------------------

SITE_COLUMNS = (
    Column("site_id", ID, 8),
    Column("site", TEXT, 32),
    Column("organisation", TEXT, 36),
    Column("region", TEXT, 24),
)
RETURN_COLUMNS = (
    *SITE_COLUMNS,
    Column("month", MONTH, 10),
    *(Column(name, COUNT, max(12, len(name) + 2)) for name in RETURN_COUNTS),
    Column("employment_specialists_fte", DECIMAL, 14),
    *(Column(f"job_starts_{sector}", COUNT, len(sector) + 13) for sector in SECTORS),
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

    def of_scope(site_column: Any) -> list[Any]:
        # The programme's sites as a plain IN beside the EXISTS below: an index can pick rows by it.
        conditions = _of_sites(site_column, scope)
        if scope.programme_id is not None:
            conditions.append(_in_programme(site_column, scope.programme_id))
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
        .where(*of_scope(sectored.site_id))
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
        )
        .join(Site, Site.id == r.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .outerjoin(sectors, sectors.c.return_id == r.id)
        .where(r.status == ReturnStatus.SUBMITTED, *of_scope(r.site_id))
        .order_by(Site.name, Site.id, r.month)
    )
    if scope.programme_id is not None:
        query = query.where(_counted_by_programme(scope.programme_id))
    rows = (tuple(row) for row in _stream(query))
    notes = ("One row per submitted monthly return.",)
    if scope.programme_id is not None:
        notes += ("Only the months the programme counts: inside its dates and each site's.",)
    return Table("returns", "Monthly returns", RETURN_COLUMNS, rows, notes)


# Progress -------------------------------------------------------------------------------------

ACHIEVED_OF_TARGET = open_data.Rate("achieved", "target", scale=100, places=1)
PROGRESS_COLUMNS = (
    Column("level", TEXT, 10),
    Column("programme_id", ID, 12),
    Column("programme", TEXT, 32),
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
)


def _percent(part: int, whole: int | None) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def progress_table(scope: ExportScope) -> Table:
    """Programme rows (level "programme") each followed by its sites' rows (level "site"); a
    site's target is its participation's, its achieved the job starts the programme counted.

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
    programmes = db.session.execute(query).all()
    ids = [programme.id for programme, _ in programmes]
    progress = progress_of([programme for programme, _ in programmes], scope.on)

    r, p, g = MonthlyReturn, Participation, Programme
    starts_query = (
        sa.select(p.id, sa.func.sum(r.job_starts))
        .join(g, g.id == p.programme_id)
        .join(r, r.site_id == p.site_id)
        .where(
            p.programme_id.in_(ids),
            r.status == ReturnStatus.SUBMITTED,
            r.month <= scope.on,
            r.month >= sql_month_start(p.joined_on),
            sa.or_(p.left_on.is_(None), r.month <= p.left_on),
            r.month >= sql_month_start(g.starts_on),
            r.month <= g.ends_on,
            *_of_sites(p.site_id, scope, scoped=False),
        )
        .group_by(p.id)
    )
    starts = {pid: int(total or 0) for pid, total in db.session.execute(starts_query)}
    sites_query = (
        sa.select(p, Site.name, Organisation.name, Site.region)
        .join(Site, Site.id == p.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(p.programme_id.in_(ids), *_of_sites(p.site_id, scope, scoped=False))
        .order_by(Site.name, Site.id, p.joined_on, p.id)
    )
    by_programme: dict[int, list[tuple[Any, ...]]] = {pid: [] for pid in ids}
    for participation, site, organisation, region in db.session.execute(sites_query):
        achieved = starts.get(participation.id, 0)
        by_programme[participation.programme_id].append(
            (participation.site_id, site, organisation, region)
            + (participation.joined_on, participation.left_on, participation.site_target)
            + (achieved, None, _percent(achieved, participation.site_target), None)
        )

    def rows() -> Iterator[tuple[Any, ...]]:
        for programme, funder in programmes:
            figures = progress[programme.id]
            head = ("programme", programme.id, programme.name, funder)
            head += (programme.starts_on, programme.ends_on)
            yield (
                head
                + (None,) * 6
                + (
                    figures.target,
                    figures.achieved,
                    round(figures.expected, 1),
                    None if figures.percent is None else round(figures.percent, 1),
                    figures.status,
                )
            )
            for site in by_programme[programme.id]:
                yield ("site", programme.id, programme.name, funder, None, None) + site

    notes = (
        f"Progress on {scope.on.isoformat()}. A programme row is followed by its sites' rows.",
        "A site's achieved counts its job starts while it took part; its target is its own.",
    )
    return Table("progress", "Programme progress", PROGRESS_COLUMNS, rows(), notes)


# Fidelity -------------------------------------------------------------------------------------

ITEMS = range(1, len(fidelity.ITEMS) + 1)
REVIEW_COLUMNS = (
    *SITE_COLUMNS,
    Column("reviewed_on", DATE, 12),
    Column("kind", TEXT, 16),
    Column("total", NUMBER, 8),
    Column("band", TEXT, 10),
)
SCORE_COLUMNS = tuple(Column(f"item_{n}", NUMBER, 8) for n in ITEMS)


def fidelity_table(scope: ExportScope) -> Table:
    f = FidelityReview
    columns = [Site.id, Site.name, Organisation.name, Site.region, f.reviewed_on, f.kind, f.total]
    query = (
        sa.select(*columns)
        .join(Site, Site.id == f.site_id)
        .join(Organisation, Organisation.id == Site.organisation_id)
        .where(f.status == ReviewStatus.FINAL, *_of_sites(f.site_id, scope))
        .order_by(Site.name, Site.id, f.reviewed_on, f.id)
    )
    if scope.programme_id is not None:
        query = query.where(_in_programme(f.site_id, scope.programme_id))
    if scope.item_scores:
        scores = (
            sa.select(
                FidelityScore.review_id,
                *(
                    sa.func.max(sa.case((FidelityScore.item == n, FidelityScore.score))).label(
                        f"item_{n}"
                    )
                    for n in ITEMS
                ),
            )
            .group_by(FidelityScore.review_id)
            .subquery("scores")
        )
        query = query.outerjoin(scores, scores.c.review_id == f.id).add_columns(
            *(scores.c[f"item_{n}"] for n in ITEMS)
        )

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in _stream(query):
            values = tuple(row)
            yield values[:7] + (scoring.band_of_total(values[6]),) + values[7:]

    all_columns = REVIEW_COLUMNS + (SCORE_COLUMNS if scope.item_scores else ())
    notes = ("Every final review of each site, oldest first. Totals run from 25 to 125.",)
    return Table("fidelity", "Fidelity reviews", all_columns, rows(), notes)


TABLES: dict[str, Callable[[ExportScope], Table]] = {
    "returns": returns_table,
    "progress": progress_table,
    "fidelity": fidelity_table,
}


def export_table(name: str, scope: ExportScope, open_form: bool = False) -> Table:
    """The table `name` (one of NAMES) within `scope`, or its open-data form."""
    if open_form:
        scope = replace(scope, item_scores=False)
    table = TABLES[name](scope)
    return open_table(table) if open_form else table


OPEN_DATA_NOTE = (
    "Open data: counts from 1 to 4 are shown as *, other counts are rounded to the nearest 5 "
    "(halves up), totals are rounded from their exact values, and a percentage is worked out "
    "from the rounded count (left out when that count is *)."
)


def open_table(table: Table) -> Table:
    """The table with the small-number rule applied to every count column."""
    names = table.names
    counts = frozenset(column.name for column in table.columns if column.kind == COUNT)
    rates = {column.name: column.rate for column in table.columns if column.rate is not None}
    rows = (open_data.published_row(names, row, counts, rates) for row in table.rows)
    return replace(table, rows=rows, notes=(*table.notes, OPEN_DATA_NOTE))


# Writing the files ----------------------------------------------------------------------------


def filename(name: str, extension: str, scope: ExportScope, open_form: bool) -> str:
    parts = [f"ips-{name}"]
    if scope.programme_id is not None:
        parts.append(f"programme-{scope.programme_id}")
    if scope.site_id is not None:
        parts.append(f"site-{scope.site_id}")
    if open_form:
        parts.append("open-data")
    parts.append(scope.on.isoformat())
    return "-".join(parts) + f".{extension}"


# Answering a request --------------------------------------------------------------------------

NO_SUCH_EXPORT = "There is no such export: the exports are returns, progress and fidelity."
NO_SUCH_FORMAT = "Exports come as .csv or .xlsx files."


def scope_for(
    user: User, on: date, programme_id: int | None = None, site_id: int | None = None
) -> ExportScope:
    """The user's scope, narrowed to a programme or a site it may read (404 for an unknown id,
    403 for one outside its scope)."""
    if programme_id is not None:
        get_programme_or_404(user, programme_id)
    if site_id is not None:
        get_site_or_404(user, site_id)
    return ExportScope(
        on=on,
        site_ids=site_scope(user),
        programme_ids=programme_scope(user),
        programme_id=programme_id,
        site_id=site_id,
        item_scores=user.role != "funder",  # funders see fidelity totals and bands, not items
    )


def export_response(
    user: User,
    name: str,
    extension: str,
    *,
    programme_id: int | None = None,
    site_id: int | None = None,
    open_form: bool = False,
) -> Response:
    """The download of GET /exports/{name}.{extension}, for the API and for the pages alike."""
    if name not in NAMES:
        abort(404, NO_SUCH_EXPORT)
    if extension not in CONTENT_TYPES:
        abort(404, NO_SUCH_FORMAT)
    now = datetime.now().astimezone()
    scope = scope_for(user, now.date(), programme_id, site_id)
    table = export_table(name, scope, open_form)
    generated = f"Generated on {now.day} {now:%B %Y at %H:%M} ({now:%Z})."
    return download(table, extension, filename(name, extension, scope, open_form), generated)
