"""How IPS spread: the network year by year (a chart and its table), and who seeded whom (the
lineage of mentoring under each lead organisation and Centre of Excellence). Every signed-in
user may read both; neither shows reviewers or mentoring notes."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from core.web.access import allow
from programme.models import PARTICIPATION_ROLES
from programme.queries import programme_options
from programme.spread.charts import spread_chart
from programme.spread.queries import LineageFilters, network_lineage, network_spread
from sites.forms import ProgrammeRegionFilterForm
from sites.models import REGIONS

bp = Blueprint("spread", __name__)


@bp.route("/network/spread")
@allow(*EVERY_ROLE)
def by_year() -> Any:
    today = date.today()
    years = network_spread(today)
    return render_template(
        "programme/spread/by_year.html",
        years=years,
        chart=spread_chart(years, today.year) if years else None,
        today=today,
    )


@bp.route("/network/lineage")
@allow(*EVERY_ROLE)
def lineage() -> Any:
    user = current_account()
    form = ProgrammeRegionFilterForm(formdata=request.args)
    options = programme_options(user)
    form.set_programmes(options)
    form.validate()
    filters = LineageFilters(form.chosen_programme_id(), form.chosen_region())
    errors = [
        {"text": message, "href": f"#{field.id}"} for field in form for message in field.errors
    ]
    return render_template(
        "programme/spread/lineage.html",
        form=form,
        errors=errors,
        filters=filters,
        lineage=network_lineage(user, filters, {row.id: row.name for row in options}),
        roles=PARTICIPATION_ROLES,
        regions=REGIONS,
        today=date.today(),
    )
