"""The late returns page: participating sites with months still owed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from portal.access import EVERY_ROLE, allow
from portal.permissions import programme_scope, site_scope
from programme.queries import LateSite, late_return_months
from sites.forms import ProgrammeRegionFilterForm
from sites.models import REGIONS
from sites.queries import programme_options

bp = Blueprint("late_returns", __name__)

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


def late_row(site: LateSite, may_send: bool) -> LateRow:
    listed = site.months if len(site.months) <= MONTHS_LISTED else site.months[:OLDEST_SHOWN]
    shown = [
        OwedMonth(month, f"/sites/{site.site_id}/returns/{month:%Y-%m}" if may_send else None)
        for month in listed
    ]
    return LateRow(site=site, shown=shown, more=len(site.months) - len(listed))


@bp.route("/returns/late")
@allow(*EVERY_ROLE)
def index() -> Any:
    user = current_user._get_current_object()
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
        "returns/late.html",
        form=form,
        rows=[late_row(site, may_send) for site in late],
        months_owed=sum(len(site.months) for site in late),
        filtered=programme_id is not None or region is not None,
        regions=REGIONS,
        clear_href=url_for("late_returns.index"),
    )
