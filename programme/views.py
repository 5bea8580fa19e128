"""Programme pages: the list with each programme's progress, and a programme's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from accounts.scopes import programme_options, programme_scope, site_scope
from core.schemas import path_id
from core.web.access import allow
from programme import queries
from programme.completeness.queries import programme_completeness
from programme.figures import approved_only, default_period, programme_figures
from programme.forms import ProgrammeStatusFilterForm
from programme.late_returns import LateSite, late_return_months
from programme.progress import STATUS_LABELS
from programme.queries import get_programme_or_404
from sites.forms import ProgrammeRegionFilterForm
from sites.models import REGIONS
from sites.returns.workflow import counted_statuses

bp = Blueprint("programme", __name__)


@bp.route("/programmes/")
@allow(*EVERY_ROLE)
def index() -> Any:
    today = date.today()
    form = ProgrammeStatusFilterForm(formdata=request.args)
    status = form.chosen_status()
    programmes = queries.programmes_in_scope(programme_scope(current_user))
    counted = counted_statuses(current_user.role)
    progress = queries.progress_of([p for p, _ in programmes], today, counted)
    if status is not None:
        programmes = [row for row in programmes if progress[row[0].id].status == status]
    return render_template(
        "programme/index.html",
        programmes=programmes,
        progress=progress,
        labels=STATUS_LABELS,
        form=form,
        status=status,
        approved_only=approved_only(counted),
        today=today,
    )


@bp.route(f"/programmes/{path_id('programme_id')}")
@allow(*EVERY_ROLE)
def detail(programme_id: int) -> Any:
    programme = get_programme_or_404(current_user, programme_id)
    today = date.today()
    period, period_error, periods = default_period(programme, request.args.get("period"), today)
    return render_template(
        "programme/detail.html",
        **programme_figures(programme, today, period, counted_statuses(current_user.role)),
        period_error=period_error,
        periods=periods,
        today=today,
        remaining_days=max((programme.ends_on - today).days, 0),
        completeness=programme_completeness(programme.id, period.first, period.last, today),
        leadership=queries.leadership(programme),
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
