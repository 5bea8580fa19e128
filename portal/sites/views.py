"""The sites list (filtered and paged in SQL) and the site page. Every role may use both; what a
user sees is scoped by portal.permissions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from accounts.scopes import programme_options, programme_scope
from core.paging import page_href, page_number
from core.web.access import allow
from portal.permissions import sees_working_records
from portal.sites.queries import SiteFilters, site_detail, site_list, site_mentoring
from programme.late_returns import late_return_months
from sites.charts import site_outcomes_chart, site_rates_chart
from sites.forms import ProgrammeRegionFilterForm
from sites.models import REGIONS
from sites.outcomes import (
    benchmarks,
    chosen_period,
    outcome_rates,
    period_choices,
    with_choice,
)
from sites.queries import (
    first_return_month,
    get_site_or_404,
    monthly_outcomes,
    monthly_rates,
    network_rate_medians,
    site_outcome_totals,
)
from sites.returns.deadlines import this_months_return
from sites.returns.queries import can_send_returns
from sites.returns.questions.queries import queryable_returns
from sites.returns.workflow import COUNTED_FOR_FUNDERS, counted_statuses
from training.assignments.queries import can_review_site
from training.centres.queries import hosted_trainers
from training.fidelity.charts import item_scores_chart, trajectory_chart
from training.fidelity.indicators.queries import site_indicators
from training.fidelity.queries import (
    latest_bands,
    latest_review_detail,
    site_reviews,
    site_trajectory,
)
from training.fidelity.scale import BANDS
from training.fidelity.scoring import band_for
from training.models import REVIEW_KINDS
from training.reviews.queries import site_review_cycle
from training.visits.queries import site_visits_and_actions

bp = Blueprint("sites", __name__, url_prefix="/sites")

PER_PAGE = 50
STAFF = {"admin", "trainer"}


class SiteFilterForm(ProgrammeRegionFilterForm):
    """The GET form above the sites list."""

    band = SelectField(
        "Latest fidelity band",
        choices=[SelectChoice("", "Any band")]
        + [SelectChoice(slug, label) for slug, label in BANDS.items()],
        validators=[Optional()],
        validate_choice=False,
    )
    centre_of_excellence = BooleanField("Centres of Excellence only")
    q = StringField(
        "Search",
        description="Part of a site's name, organisation or place",
        validators=[Optional(), Length(max=200, message="Use 200 characters or fewer")],
    )

    def filters(self) -> SiteFilters:
        q = (self.q.data or "").replace("\x00", "").strip()
        return SiteFilters(
            region=self.chosen_region(),
            programme_id=self.chosen_programme_id(),
            centre_of_excellence=bool(self.centre_of_excellence.data),
            band=self.chosen(self.band, BANDS, "Choose a band from the list"),
            q=q[:200] or None,
        )


@bp.route("/")
@allow(*EVERY_ROLE)
def index() -> Any:
    user = current_account()
    form = SiteFilterForm(formdata=request.args)
    form.set_programmes(programme_options(user))
    form.validate()
    filters = form.filters()
    result = site_list(user, filters, page=page_number(), per_page=PER_PAGE)
    bands = latest_bands([row.id for row in result.rows])
    return render_template(
        "sites/index.html",
        form=form,
        result=result,
        filtered=filters != SiteFilters(),
        regions=REGIONS,
        bands=bands,
        band_labels=BANDS,
        first_page=page_href("sites.index", 1),
    )


@bp.route("/<int(max=2147483647):site_id>")  # a 32-bit id; beyond is simply not found
@allow(*EVERY_ROLE)
def detail(site_id: int) -> Any:
    user = current_account()
    site = get_site_or_404(user, site_id)
    found = site_detail(site_id, programme_ids=programme_scope(user))
    today = date.today()
    late = late_return_months(today, site_ids=[site_id])
    counted = counted_statuses(user.role)
    approved_only = counted == COUNTED_FOR_FUNDERS
    outcomes = monthly_outcomes(site_id, counted=counted)
    chart = site_outcomes_chart(outcomes, approved_only) if outcomes else None
    return render_template(
        "sites/detail.html",
        detail=found,
        chart=chart,
        bands=BANDS,
        late_months=late[0].months if late else [],
        sends_returns=can_send_returns(user, site_id),
        this_months_return=this_months_return(today),
        query_returns=queryable_returns(site_id) if sees_working_records(user) else None,
        visits=site_visits_and_actions(user, site_id, today)  # issue 6: trainers' visits
        if sees_working_records(user)
        else None,
        **_fidelity(user, site_id),
        # issue 17: live fidelity indicators between reviews; funders see aggregates only
        between_reviews=site_indicators(site_id) if sees_working_records(user) else None,
        **_outcome_rates(site_id, site.launched_on, counted),
        mentoring=site_mentoring(user, site_id, counted),
        mentoring_notes=user.role in STAFF,  # staff's notes: never for funders
        may_record_mentoring=user.role == "admin",
        approved_only=approved_only,
        # issue 17: the regional trainers a Centre's organisation hosts (names: not for funders)
        hosted_trainers=hosted_trainers([site.organisation_id]).get(site.organisation_id, [])
        if found and found.centre_of_excellence
        else [],
        today=today,
    )


def _fidelity(user: Any, site_id: int) -> dict[str, Any]:
    """The site page's "Fidelity" section: the trajectory of final reviews and, except for
    funders (who see totals and bands only), the latest review's item profile."""
    trajectory = site_trajectory(site_id)
    staff = user.role in {"admin", "trainer"}
    latest = latest_review_detail(site_id) if user.role != "funder" else None
    return {
        "fidelity_trajectory": trajectory,
        "fidelity_reviews": site_reviews(site_id, drafts=staff),
        "trajectory_chart": trajectory_chart(trajectory) if trajectory else None,
        "latest_review": latest,
        "item_profile_chart": item_scores_chart(
            latest.scores,
            latest.previous_scores or None,
            title="Item scores of the latest final review",
            label=f"{latest.review.reviewed_on:%B %Y}",
            previous_label="The review before",
        )
        if latest
        else None,
        "may_review": can_review_site(user, site_id),
        "review_cycle": site_review_cycle(site_id, date.today()),
        "may_schedule": user.role == "admin",
        "reviewer_names": sees_working_records(user),  # no reviewer names for funders
        "review_kinds": REVIEW_KINDS,
        "band_of": band_for,
    }


def _outcome_rates(
    site_id: int, launched_on: date | None, counted: tuple[str, ...]
) -> dict[str, Any]:
    """The site page's "Outcome rates" section over the period the request chose, from the
    `counted` returns (the reader's)."""
    today = date.today()
    period, error = chosen_period(request.args.get("period"), today)
    first = first_return_month([site_id], counted)
    earliest_year = first.year if first else (launched_on or today).year
    totals = site_outcome_totals(site_id, period.first, period.last, counted)
    by_month = monthly_rates(site_id, period.first, period.last, counted)
    return {
        "period": period,
        "period_error": error,
        "periods": with_choice(period_choices(today, earliest_year), period),
        "totals": totals,
        "rates": outcome_rates(totals),
        "benchmarks": benchmarks(network_rate_medians(period.first, period.last, counted)),
        "rates_chart": site_rates_chart(by_month, period.label) if by_month else None,
    }
