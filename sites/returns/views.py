"""Monthly return pages: the returns a user sends, the return form (draft, submit, amend) and its
history. Writes go through sites/returns.py; the rules are sites/return_rules.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.months import Month, month_slug, month_start, previous_month
from core.paging import page_number
from core.schemas import path_id
from core.web.access import allow
from sites.queries import site_returns
from sites.returns import deadlines, workflow
from sites.returns import rules as return_rules
from sites.returns.approval.forms import approval_section
from sites.returns.deadlines import ReturnState
from sites.returns.forms import ReturnForm
from sites.returns.queries import (
    get_site_for_returns_or_404,
    return_due_date,
    return_history,
    returns_overview,
)
from sites.returns.questions.forms import queries_section
from sites.returns.services import WarningsNotConfirmed, find_return, save_return

bp = Blueprint("returns", __name__)

FIRST_MONTH = date(1990, 1, 1)
STATE_LABELS = {
    ReturnState.APPROVED: "Approved",
    ReturnState.RETURNED: "Sent back",
    ReturnState.LATE: "Late",
    ReturnState.DUE: "Due",
    ReturnState.DRAFT: "Draft",
    ReturnState.SUBMITTED: "Submitted",
    ReturnState.NOT_REQUIRED: "Not required",
}
STATE_COLOURS = {
    ReturnState.APPROVED: "green",
    ReturnState.RETURNED: "orange",
    ReturnState.LATE: "red",
    ReturnState.DUE: "yellow",
    ReturnState.DRAFT: "blue",
    ReturnState.SUBMITTED: "purple",
    ReturnState.NOT_REQUIRED: "grey",
}
STATE_ACTIONS = {
    ReturnState.APPROVED: "View",
    ReturnState.RETURNED: "Correct",
    ReturnState.LATE: "Send",
    ReturnState.DUE: "Start",
    ReturnState.DRAFT: "Finish",
    ReturnState.SUBMITTED: "View or amend",
    ReturnState.NOT_REQUIRED: "Send anyway",
}
STALE = (
    "Someone else changed this return since you opened it. The figures below are the ones now "
    "saved: check them and make your change again."
)


def _month_or_404(month: Month) -> Month:
    """A return's month: from January 1990 to this month; later or earlier is not found."""
    if month > month_start(date.today()) or month < FIRST_MONTH:
        abort(404)
    return month


@bp.route("/returns/")
@allow("admin", "site_lead")
def index() -> Any:
    """The sites whose returns the user sends, with this month's return and the latest months."""
    user = current_account()
    due = deadlines.this_months_return(date.today())
    months = [previous_month(due), due]
    overview = returns_overview(user, months, date.today(), page=page_number(), per_page=50)
    return render_template(
        "sites/returns/index.html",
        overview=overview,
        due=due,
        months=months,
        due_on=return_due_date(due),
        state_labels=STATE_LABELS,
        state_colours=STATE_COLOURS,
        state_actions=STATE_ACTIONS,
    )


def _render(site: Any, month: date, form: ReturnForm, **context: Any) -> Any:
    existing = context.pop("existing", None)
    return render_template(
        "sites/returns/form.html",
        site=site,
        month=month,
        form=form,
        existing=existing,
        history=return_history(existing.id) if existing else [],
        queries_section=queries_section(current_account(), existing),
        approval=approval_section(current_account(), existing),
        sectors=return_rules.SECTORS,
        figures=return_rules.FIGURES,
        sector_labels=return_rules.SECTORS,
        summary=context.pop("summary", []),
        warnings=context.pop("warnings", []),
        **context,
    )


@bp.route(f"/sites/{path_id('site_id')}/returns/<month:month>", methods=["GET", "POST"])
@allow("admin", "site_lead")
def edit(site_id: int, month: Month) -> Any:
    user = current_account()
    site = get_site_for_returns_or_404(user, site_id)
    first_day = _month_or_404(month)
    existing = find_return(site.id, first_day)
    form = ReturnForm()
    form.sustained_13_weeks.description = (
        f"People whose job started in {return_rules.add_months(first_day, -3):%B %Y} "
        "and who are still in work."
    )
    if request.method == "GET":
        if existing is not None:
            form.fill(existing)
        return _render(site, first_day, form, existing=existing)
    if not form.validate():  # the CSRF token, the hidden version, or text it cannot store
        summary = [{"text": m, "href": f"#{field.id}"} for field in form for m in field.errors]
        return _render(site, first_day, form, existing=existing, summary=summary), 422

    submit = request.form.get("action") == "submit"
    was = existing.status if existing is not None else None
    try:
        saved = save_return(
            site,
            first_day,
            form.figures(),
            user=user,
            sectors=form.sectors(),
            submit=submit,
            version=form.version.data,
            confirm_warnings=bool(form.confirm_warnings.data),
        )
        db.session.commit()
    except workflow.Refused as refusal:  # an approved return is locked
        db.session.rollback()
        if not refusal.conflict:
            abort(403)
        summary = [{"text": refusal.message, "href": "#figures"}]
        return _render(site, first_day, form, existing=existing, summary=summary), 409
    except WarningsNotConfirmed as error:
        return _render(site, first_day, form, existing=existing, warnings=error.warnings), 422
    except ValidationFailed as error:
        summary = form.show_errors(error.fields)
        return _render(site, first_day, form, existing=existing, summary=summary), 422
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        current = find_return(site.id, first_day)
        form = ReturnForm(formdata=None)
        if current is not None:
            form.fill(current)
        summary = [{"text": STALE, "href": "#figures"}]
        return _render(site, first_day, form, existing=current, summary=summary), 409

    monthly_return = saved.monthly_return
    if was == workflow.Status.SUBMITTED:
        flash(f"Your amendment to the {first_day:%B %Y} return is saved.")
    elif was == workflow.Status.RETURNED and monthly_return.is_submitted:
        flash(f"The {first_day:%B %Y} return for {site.name} is submitted again. Thank you.")
    elif monthly_return.status == workflow.Status.RETURNED:
        flash(
            f"Your changes to the {first_day:%B %Y} return are saved. It is not submitted again "
            "yet."
        )
    elif monthly_return.is_submitted:
        flash(f"The {first_day:%B %Y} return for {site.name} is submitted. Thank you.")
    else:
        flash(f"Your draft of the {first_day:%B %Y} return is saved. It is not submitted yet.")
    return redirect(url_for("returns.edit", site_id=site.id, month=first_day))


@bp.route(f"/sites/{path_id('site_id')}/returns/")
@allow("admin", "site_lead")
def site_months(site_id: int) -> Any:
    """The site's returns month by month, newest first: two years, or since the site launched."""
    site = get_site_for_returns_or_404(current_account(), site_id)
    today = date.today()
    newest = month_start(today)
    oldest = return_rules.add_months(newest, -23)
    if site.launched_on:
        oldest = max(oldest, month_start(site.launched_on))
    months = []
    month = newest
    while month >= oldest:
        months.append(month)
        month = previous_month(month)
    returns = {r.month: r for r in site_returns(site.id, oldest, newest)}
    return render_template(
        "sites/returns/months.html",
        site=site,
        months=months,
        returns=returns,
        due_dates={month: return_due_date(month) for month in months},
        today=today,
        month_slug=month_slug,
    )
