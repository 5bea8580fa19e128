"""Pages of the review cycle: schedule a fidelity review of a site (programme staff), a
scheduled review's page with its steps (report sent, action plan agreed, the recorded review,
cancel), and the reviews due across the sites a user may read (programme staff, trainers).
Writes go through training/reviews/services.py; reads are training/reviews/queries.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.scopes import site_scope
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.paging import Page, page_number
from core.schemas import path_id
from core.web.access import allow
from sites.models import Site
from training.models import REVIEW_KINDS, ScheduledReview
from training.reviews import queries, services
from training.reviews.forms import CancelForm, DueFilterForm, LinkReviewForm, ScheduleForm, StepForm

bp = Blueprint("reviews", __name__)

PER_PAGE = 50
STEPS = ("report", "action_plan", "review", "cancel")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _show(form: FlaskForm, error: ValidationFailed) -> None:
    for key, messages in error.fields.items():
        field = form._fields.get(key)
        if field is not None and key not in {"csrf_token", "version"}:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def _save(form: FlaskForm, change: Callable[[], Any]) -> Any:
    """Validate the form and make the change, committed; None (the session rolled back, the
    messages on the form) when the form or the service found a problem."""
    if not form.validate_on_submit():
        return None
    try:
        result = change()
    except ValidationFailed as error:
        db.session.rollback()
        _show(form, error)
        return None
    except StaleDataError as error:  # changed between our read and our write
        raise StaleVersion() from error
    db.session.commit()
    return result


@bp.route(f"/sites/{path_id('site_id')}/reviews/schedule", methods=["GET", "POST"])
@allow("admin")
def schedule(site_id: int) -> Any:
    site = db.get_or_404(Site, site_id)
    today = date.today()
    form = ScheduleForm(pool=queries.reviewer_pool(today))
    if request.method == "GET":
        form.kind.data = "external_review"

    def change() -> Any:
        return services.schedule_review(
            site,
            planned_on=form.planned_on.data,
            kind=form.kind.data or None,
            lead_reviewer_id=form.lead_reviewer_id.data,
            second_reviewer_id=form.second_reviewer_id.data,
            today=today,
        )

    scheduled = _save(form, change)
    if scheduled is not None:
        flash(f"A fidelity review of {site.name} is scheduled for {_long(scheduled.planned_on)}.")
        return redirect(url_for("sites.detail", site_id=site.id, _anchor="fidelity"))
    status = 422 if form.errors else 200
    return render_template("training/reviews/schedule.html", form=form, site=site), status


def _step_forms(step: str | None, record: ScheduledReview) -> dict[str, FlaskForm]:
    """The page's four small forms; only the one posted reads the request."""

    def data(name: str) -> Any:
        return request.form if step == name else None

    forms: dict[str, FlaskForm] = {
        "report": StepForm(formdata=data("report"), prefix="report"),
        "action_plan": StepForm(formdata=data("action_plan"), prefix="action_plan"),
        "review": LinkReviewForm(formdata=data("review"), prefix="review"),
        "cancel": CancelForm(formdata=data("cancel"), prefix="cancel"),
    }
    forms["review"].set_reviews(queries.linkable_reviews(record.site_id))
    for name, form in forms.items():
        if step != name:
            form.version.data = record.version
    return forms


def _change(step: str, form: Any, record: ScheduledReview, today: date) -> Callable[[], Any]:
    version = form.version.data
    if step == "report":
        return lambda: services.mark_report_sent(record, form.on.data, version, today)
    if step == "action_plan":
        return lambda: services.mark_action_plan_agreed(record, form.on.data, version, today)
    if step == "review":
        return lambda: services.link_review(record, form.review_id.data, version)
    return lambda: services.cancel_review(record, version, today)


DONE = {
    "report": "The report is marked sent.",
    "action_plan": "The action plan is marked agreed.",
    "review": "The recorded review is linked.",
    "cancel": "The review is cancelled.",
}


@bp.route(f"/scheduled-reviews/{path_id('scheduled_id')}", methods=["GET", "POST"])
@allow("admin")
def scheduled(scheduled_id: int) -> Any:
    record = db.get_or_404(ScheduledReview, scheduled_id)
    today = date.today()
    step = request.form.get("step") if request.method == "POST" else None
    if request.method == "POST" and step not in STEPS:
        step = None
        flash("Choose one of the page's buttons.")
    forms = _step_forms(step, record)
    if step is not None and _save(forms[step], _change(step, forms[step], record, today)):
        flash(DONE[step])
        return redirect(url_for("reviews.scheduled", scheduled_id=scheduled_id))
    shown = queries.scheduled_review(scheduled_id)
    status = 422 if step is not None else 200
    return render_template(
        "training/reviews/scheduled.html",
        scheduled=shown,
        forms=forms,
        kinds=REVIEW_KINDS,
        today=today,
    ), status


@bp.route("/reviews/due")
@allow("admin", "trainer")
def due() -> Any:
    """Each site's next fidelity review due, overdue first, beside its scheduled review: the
    sites the user may read (a trainer: those assigned today)."""
    user = current_account()
    today = date.today()
    form = DueFilterForm(formdata=request.args)
    days = form.days()
    # Overdue only (0 days): due before today.
    by = date.max if days is None else queries.days_ahead(today, days or -1)
    rows = queries.reviews_due_with_schedule(site_scope(user), today, by=by)
    number = page_number()
    page = Page(
        rows=rows[(number - 1) * PER_PAGE : number * PER_PAGE],
        total=len(rows),
        page=number,
        per_page=PER_PAGE,
    )
    return render_template(
        "training/reviews/due.html",
        form=form,
        page=page,
        overdue=sum(1 for row in rows if row.due.overdue(today)),
        today=today,
        staff=user.role == "admin",
        steps=queries.overdue_review_steps(site_scope(user), today),
    )
