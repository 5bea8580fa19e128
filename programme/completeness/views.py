"""The completeness page (/reporting/completeness): returns expected, received, on time and
approved over a period, filtered by programme and region, with a chart by month and the table
as CSV and XLSX. Each role reads the sites in its scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for

from accounts.current import current_account
from accounts.models import EVERY_ROLE, User
from accounts.scopes import programme_options
from core.months import month_slug
from core.tables import CONTENT_TYPES, About, download
from core.web.access import allow
from programme.completeness.charts import completeness_chart
from programme.completeness.forms import CompletenessFilterForm
from programme.completeness.queries import (
    CompletenessReport,
    period_months,
    reporting_completeness,
    scoped_filters,
)
from programme.models import Programme
from programme.queries import get_programme_or_404
from programme.reports.exports.completeness import report_table
from sites.models import REGIONS

bp = Blueprint("completeness", __name__)


def today() -> date:
    """Today's date; tests replace it to look at the page on a fixed day."""
    return date.today()


@dataclass(frozen=True)
class Chosen:
    """What the filters chose (a value that could not be read is left out) and the report."""

    form: CompletenessFilterForm
    programme: Programme | None
    region: str | None
    report: CompletenessReport

    def arguments(self) -> dict[str, Any]:
        """The filters as the query string of the page and its downloads."""
        values: dict[str, Any] = {
            "from": month_slug(self.report.first),
            "to": month_slug(self.report.last),
        }
        if self.programme is not None:
            values["programme_id"] = self.programme.id
        if self.region is not None:
            values["region"] = self.region
        return values


def chosen(user: User) -> Chosen:
    form = CompletenessFilterForm(formdata=request.args)
    form.set_programmes(programme_options(user))
    form.validate()
    programme_id, region = form.chosen_programme_id(), form.chosen_region()
    programme = get_programme_or_404(user, programme_id) if programme_id is not None else None
    first, last = period_months(*form.chosen_months(), programme, today())
    form.show_period(first, last)
    filters = scoped_filters(user, first, last, programme_id, region)
    return Chosen(form, programme, region, reporting_completeness(filters, today()))


def period_label(report: CompletenessReport) -> str:
    if report.first == report.last:
        return f"{report.first:%B %Y}"
    return f"{report.first:%B %Y} to {report.last:%B %Y}"


@bp.route("/reporting/completeness")
@allow(*EVERY_ROLE)
def index() -> Any:
    user = current_account()
    found = chosen(user)
    label = period_label(found.report)
    return render_template(
        "programme/completeness/index.html",
        form=found.form,
        report=found.report,
        programme=found.programme,
        period=label,
        chart=completeness_chart(found.report.months, label) if found.report.months else None,
        regions=REGIONS,
        scoped=user.role != "admin",
        filtered=bool(request.args),
        arguments=found.arguments(),
        clear_href=url_for("completeness.index"),
    )


@bp.route("/reporting/completeness.<format>")
@allow(*EVERY_ROLE)
def download_table(format: str) -> Any:
    if format not in CONTENT_TYPES:
        abort(404)
    user = current_account()
    found = chosen(user)
    now = datetime.now().astimezone()
    lines = [f"Period: {period_label(found.report)}."]
    if found.programme is not None:
        lines.append(f"Programme: {found.programme.name}.")
    if found.region is not None:
        lines.append(f"Region: {REGIONS[found.region]}.")
    if user.role != "admin":
        lines.append("The sites you may see.")
    lines.append(f"Generated on {now.day} {now:%B %Y at %H:%M} ({now:%Z}).")
    parts = ["ips-completeness", month_slug(found.report.first), month_slug(found.report.last)]
    if found.programme is not None:
        parts.append(f"programme-{found.programme.id}")
    if found.region is not None:
        parts.append(found.region)
    return download(
        [report_table(found.report)],
        format,
        "-".join(parts) + f".{format}",
        About("Reporting completeness: IPS Network Tracker", tuple(lines)),
    )
