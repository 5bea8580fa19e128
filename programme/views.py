"""Programme pages: the list with each programme's progress, and a programme's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from accounts.scopes import programme_options, programme_scope, site_scope
from core.charts import programme_progress_chart
from core.months import months_between
from core.web.access import allow
from programme import queries
from programme.models import Participation, Programme
from programme.progress import STATUS_LABELS, expected_line
from programme.queries import LateSite, get_programme_or_404, late_return_months
from sites.forms import ProgrammeRegionFilterForm
from sites.models import REGIONS
from sites.outcomes import (
    OutcomeTotals,
    Period,
    chosen_period,
    outcome_rates,
    period_choices,
    with_choice,
)
from sites.queries import outcome_totals
from training.fidelity.queries import latest_bands
from training.fidelity.scale import BANDS

bp = Blueprint("programme", __name__)


@bp.route("/programmes/")
@allow(*EVERY_ROLE)
def index() -> Any:
    today = date.today()
    programmes = queries.programmes_in_scope(programme_scope(current_user))
    progress = queries.progress_of([p for p, _ in programmes], today)
    return render_template(
        "programme/index.html", programmes=programmes, progress=progress, labels=STATUS_LABELS
    )


def progress_chart(programme: Any, progress: Any, today: date) -> str:
    profile = {t.month: t.cumulative for t in programme.target_profile} or None
    expected = expected_line(
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        target=programme.job_start_target,
        profile=profile,
    )
    projection: list[tuple[date, float]] = []
    if progress.status in {"on_track", "at_risk", "off_track"} and progress.by_month:
        last = progress.by_month[-1]
        months = months_between(last.month, programme.ends_on)
        projection = [
            (month, round(progress.achieved + progress.run_rate * i, 1))
            for i, month in enumerate(months)
        ]
    return programme_progress_chart(
        [m.month for m in progress.by_month],
        [m.cumulative for m in progress.by_month],
        expected,
        projection,
    )


def programme_figures(programme: Programme, today: date, period: Period) -> dict[str, Any]:
    """What the programme page and its printable report both show: progress and its chart, each
    site's figures, outcome rates over `period` and latest fidelity band."""
    progress = queries.progress_of([programme], today)[programme.id]
    sites = queries.programme_sites(programme, today)
    site_ids = sa.select(Participation.site_id).where(Participation.programme_id == programme.id)
    totals = outcome_totals(site_ids, period.first, period.last)
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
        "labels": STATUS_LABELS,
        "chart": progress_chart(programme, progress, today),
        "late_total": sum(s.late_returns for s in sites),
    }


@bp.route("/programmes/<int:programme_id>")
@allow(*EVERY_ROLE)
def detail(programme_id: int) -> Any:
    programme = get_programme_or_404(current_user, programme_id)
    today = date.today()
    period, period_error = chosen_period(request.args.get("period"), today)
    return render_template(
        "programme/detail.html",
        **programme_figures(programme, today, period),
        period_error=period_error,
        periods=with_choice(period_choices(today, programme.starts_on.year), period),
        today=today,
        remaining_days=max((programme.ends_on - today).days, 0),
    )


# A row lists every month owed up to this many; beyond it, the oldest few and "and N more".
MONTHS_LISTED = 6
OLDEST_SHOWN = 3

# Admins send any site's returns; a site lead's site scope is the sites whose returns it sends.
RETURN_SENDERS = {"admin", "site_lead"}


def today() -> date:
    """Today's date; tests replace it to look at the page on a fixed day."""
    return date.today()


@dataclass(frozen=True)
class OwedMonth:
    month: date
    href: str | None  # the return form, for those who may send the site's returns


@dataclass(frozen=True)
class LateRow:
    site: LateSite
    shown: list[OwedMonth]
    more: int  # months owed beyond those shown


def _return_href(site_id: int, month: date) -> str:
    return url_for("returns.edit", site_id=site_id, month=month)


def late_row(site: LateSite, may_send: bool) -> LateRow:
    listed = site.months if len(site.months) <= MONTHS_LISTED else site.months[:OLDEST_SHOWN]
    shown = [
        OwedMonth(
            month, url_for("returns.edit", site_id=site.site_id, month=month) if may_send else None
        )
        for month in listed
    ]
    return LateRow(site=site, shown=shown, more=len(site.months) - len(listed))


@bp.route("/returns/late")
@allow(*EVERY_ROLE)
def late_returns() -> Any:
    user = current_account()
    form = ProgrammeRegionFilterForm(formdata=request.args)
    form.set_programmes(programme_options(user))
    form.validate()
    programme_id, region = form.chosen_programme_id(), form.chosen_region()
    late = late_return_months(
        today(),
        programme_id=programme_id,
        region=region,
        site_ids=site_scope(user),
        programme_ids=programme_scope(user),
    )
    may_send = user.role in RETURN_SENDERS
    return render_template(
        "programme/late_returns.html",
        form=form,
        rows=[late_row(site, may_send) for site in late],
        months_owed=sum(len(site.months) for site in late),
        filtered=programme_id is not None or region is not None,
        regions=REGIONS,
        clear_href=url_for("programme.late_returns"),
    )
