"""The tables of figures as rows, and their CSV and XLSX files (GET /exports/{name}.csv|.xlsx).

Four exports, each read by a fixed number of queries, whatever the number of programmes:
- returns: one row per submitted monthly return, every figure and the job starts by sector;
- progress: per programme its target, achieved, expected, percent and status, each followed by
  one row per participation of a site with the job starts it counted;
- fidelity: every final fidelity review of each site, with the item scores for those who may see
  them (not funders, not open data).
- completeness: returns expected, received, on time and approved over the period (the last 12
  months that have ended without one), in total and per region, programme and site.

Scope comes from portal.permissions as selects of ids, so a funder's export holds only its own
programmes' sites. `?programme_id=` narrows each table to one programme: its sites' returns in the
months the programme counts (so the returns' job starts add up to the programme's achieved),
its progress rows, its sites' reviews. `?site_id=` narrows to one site. `?period=` (named as the
pages name it: last-12-months, 2024, fy-2024-25, or programme for the programme's own run) keeps
the returns of its months and the reviews of its days, and is the period of the progress
export's rates; without one, a programme that has ended defaults to its own run, as its page
and printed report do, and anything else holds every month.

The CSV is for machines and keeps its columns: code names, slugs, ISO dates, "YYYY-MM" months,
and the progress table's programme and site rows in one table told apart by `level`. The XLSX is
for people (core.tables): plain headings, names for codes, months and dates shown as such,
percentages; the progress export has a sheet per table: Summary (each programme's headline
figures and the period), By quarter and year (job starts by quarter and financial year against
the target profile), Sites and Rates (each site's outcome rates over the period).

The open-data form (`open_data=True`) passes each row through programme.open_data: counts of
people and events are suppressed or rounded; ids, dates, scores, targets and staff numbers are
not; a percent or rate is worked out again from the published counts, or left out; estimates
made from counts (run rate, projection, how far ahead of expected) are not published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from flask import Response, abort

from accounts.models import User
from accounts.scopes import programme_scope, site_scope
from core.errors import ValidationFailed
from core.tables import CONTENT_TYPES, COUNT, About, Table, download
from programme.figures import RUN_SLUG, default_period
from programme.models import Programme
from programme.queries import get_programme_or_404
from programme.reports import open_data
from programme.reports.exports.completeness import completeness_table
from programme.reports.exports.fidelity import fidelity_table
from programme.reports.exports.progress import progress_figures, progress_sheets, progress_table
from programme.reports.exports.returns import returns_table
from programme.reports.exports.scope import NAMES, TITLES, ExportScope
from sites.models import Site
from sites.outcomes import Period, chosen_period, last_12_months
from sites.queries import get_site_or_404
from sites.returns.workflow import COUNTED_FOR_FUNDERS, counted_statuses

__all__ = ["CONTENT_TYPES", "NAMES", "ExportScope", "export_response", "export_tables"]

ONE_TABLE: dict[str, Callable[[ExportScope], Table]] = {
    "returns": returns_table,
    "fidelity": fidelity_table,
    "completeness": completeness_table,
}


def export_tables(name: str, scope: ExportScope, extension: str) -> list[Table]:
    """The tables of export `name` (one of NAMES) within `scope`, as the file `extension` holds
    them (a CSV one table, an XLSX a sheet per table), in open-data form when `scope` says."""
    if scope.open_data:  # published: approved figures only, and no item scores
        scope = replace(scope, item_scores=False, counted=COUNTED_FOR_FUNDERS)
    if name == "progress":
        figures = progress_figures(scope)
        if extension == "csv":
            tables = [progress_table(figures, scope)]
        else:
            tables = progress_sheets(figures, scope)
    else:
        tables = [ONE_TABLE[name](scope)]
    return [open_table(table) for table in tables] if scope.open_data else tables


OPEN_DATA_NOTE = (
    "Open data: counts from 1 to 4 are shown as *, other counts are rounded to the nearest 5 "
    "(halves up), totals are rounded from their exact values, and a percentage is worked out "
    "from the rounded count (left out when that count is *)."
)


def open_table(table: Table) -> Table:
    """The table with the small-number rule applied to every count column (the XLSX's sheet
    "About" says so: `about`)."""
    names = table.names
    counts = frozenset(column.name for column in table.columns if column.kind == COUNT)
    rates = {column.name: column.rate for column in table.columns if column.rate is not None}
    rows = (open_data.published_row(names, row, counts, rates) for row in table.rows)
    return replace(table, rows=rows)


# Answering a request --------------------------------------------------------------------------

NO_SUCH_EXPORT = (
    "There is no such export: the exports are returns, progress, fidelity and completeness."
)
NO_SUCH_FORMAT = "Exports come as .csv or .xlsx files."
NO_SUCH_PERIOD = (
    "Choose a period: last-12-months, a calendar year like 2024, a financial year like "
    f"fy-2024-25, or {RUN_SLUG} (the programme's own run, with programme_id)"
)


def export_period(slug: str | None, programme: Programme | None, today: date) -> Period | None:
    """The period an export holds, named as the pages name it; None: every month. Without a
    slug, a programme that has ended has its own run, as its page and report default to
    (figures.default_period). A slug we do not know is refused (ValidationFailed)."""
    error: str | None = None
    if programme is not None:
        period, error, _ = default_period(programme, slug or None, today)
        if not slug:
            return period if period.slug == RUN_SLUG else None
    elif not slug:
        return None
    elif slug == RUN_SLUG:
        raise ValidationFailed({"period": [NO_SUCH_PERIOD]}, NO_SUCH_PERIOD)
    else:
        period, error = chosen_period(slug, today)
    if error:
        raise ValidationFailed({"period": [NO_SUCH_PERIOD]}, NO_SUCH_PERIOD)
    return period


def filename(name: str, extension: str, scope: ExportScope) -> str:
    parts = [f"ips-{name}"]
    if scope.programme_id is not None:
        parts.append(f"programme-{scope.programme_id}")
    if scope.site_id is not None:
        parts.append(f"site-{scope.site_id}")
    if scope.open_data:
        parts.append("open-data")
    parts.append(scope.on.isoformat())
    return "-".join(parts) + f".{extension}"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def about(
    name: str,
    scope: ExportScope,
    programme: Programme | None,
    site: Site | None,
    generated: datetime,
) -> About:
    """The XLSX's sheet "About": what was chosen, the period and when the file was made."""
    lines = []
    if programme is not None:
        lines.append(
            f"Programme: {programme.name}, {_long_date(programme.starts_on)} to "
            f"{_long_date(programme.ends_on)}."
        )
    if site is not None:
        lines.append(f"Site: {site.name}.")
    if scope.period is not None:
        lines.append(f"Period: {scope.period.label}.")
    elif name == "progress":
        lines.append(f"Period of the rates: {last_12_months(scope.on).label}.")
    elif name == "completeness":
        lines.append("Period: the last 12 months that have ended.")
    else:
        lines.append("Period: every month.")
    lines.append(
        f"Generated on {generated.day} {generated:%B %Y at %H:%M} ({generated:%Z}), "
        f"from the {'approved' if scope.approved_only else 'submitted and approved'} monthly "
        "returns."
    )
    lines.append(figures_basis(scope))
    if scope.open_data:
        lines.append(OPEN_DATA_NOTE)
    return About(f"{TITLES[name]}: IPS Network Tracker", tuple(lines))


def figures_basis(scope: ExportScope) -> str:
    """Which returns the figures count, as a file says it (DESIGN.md, "Approval")."""
    if scope.approved_only:
        return (
            f"Approved figures as at {_long_date(scope.on)}: only the returns programme staff "
            "have approved are counted."
        )
    return (
        f"Submitted and approved figures as at {_long_date(scope.on)}: returns awaiting "
        "approval are counted, and the tables say how many job starts await approval."
    )


def export_response(
    user: User,
    name: str,
    extension: str,
    *,
    programme_id: int | None = None,
    site_id: int | None = None,
    open_form: bool = False,
    period: str | None = None,
) -> Response:
    """The download of GET /exports/{name}.{extension}, for the API and for the pages alike:
    the user's scope, narrowed to a programme or a site it may read (404 for an unknown id, 403
    for one outside its scope), over the period named (422 for one we do not know)."""
    if name not in NAMES:
        abort(404, NO_SUCH_EXPORT)
    if extension not in CONTENT_TYPES:
        abort(404, NO_SUCH_FORMAT)
    now = datetime.now().astimezone()
    programme = get_programme_or_404(user, programme_id) if programme_id is not None else None
    site = get_site_or_404(user, site_id) if site_id is not None else None
    scope = ExportScope(
        on=now.date(),
        site_ids=site_scope(user),
        programme_ids=programme_scope(user),
        programme_id=programme_id,
        site_id=site_id,
        item_scores=user.role != "funder",  # funders see fidelity totals and bands, not items
        period=export_period(period, programme, now.date()),
        open_data=open_form,
        counted=COUNTED_FOR_FUNDERS if open_form else counted_statuses(user.role),
    )
    tables = export_tables(name, scope, extension)
    return download(
        tables,
        extension,
        filename(name, extension, scope),
        about(name, scope, programme, site, now),
    )
