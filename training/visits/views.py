"""Trainers' pages: "My sites", the visit log, agreed actions and the calendar export, and the
admin's view of the trainers' activity. Reads are training/visit_queries.py; writes go through
training/services.py and are committed here, once per request."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from icalendar import Calendar, Event
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.models import EVERY_ROLE
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.paging import page_href, page_number
from core.schemas import path_id
from core.web.access import allow
from core.web.forms import error_href
from sites.models import Site
from sites.queries import get_site_or_404
from training.assignments.queries import can_review_site
from training.models import ACTION_STATUSES, Action
from training.visits.actions import ActionStatus
from training.visits.activity import NO_VISIT_DAYS, sites_without_recent_visit, trainer_activity
from training.visits.charts import visits_by_month_chart, visits_by_purpose_chart
from training.visits.forms import (
    ActionFilterForm,
    ActionStatusForm,
    VisitForm,
    chosen_trainer,
    display_labels,
)
from training.visits.queries import (
    ActionFilters,
    action_detail,
    action_list,
    action_site_options,
    calendar_actions,
    recordable_sites,
    visit_detail,
)
from training.visits.services import MAX_ACTIONS, record_visit, set_action_status, visit_errors

bp = Blueprint("visits", __name__)

STAFF = ("admin", "trainer")  # who records visits and changes actions
MAX_ID = 2147483647  # a 32-bit id; beyond is simply not found
PER_PAGE = 50
CALENDAR_UID_DOMAIN = "ips-network-tracker"
STALE = (
    "Someone else changed this action since you opened it: it is now {status}. "
    "Check it and choose again."
)
CLOSED_LABELS = {
    ActionStatus.DONE: "done",
    ActionStatus.DROPPED: "dropped",
    ActionStatus.OPEN: "open again",
}


def _back(target: str | None, default: str) -> str:
    """A local address to return to; anything else is the default."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default


# The visit form and a visit's page --------------------------------------------------------


def _render_visit_form(form: VisitForm, sites: list[Any], status: int = 200) -> Any:
    return (
        render_template(
            "training/visits/form.html",
            form=form,
            sites=sites,
            rows=form.shown_rows(),
            max_actions=MAX_ACTIONS,
            **display_labels(),
        ),
        status,
    )


@bp.route("/visits/new", methods=["GET", "POST"])
@allow(*STAFF)
def new() -> Any:
    user = current_account()
    today = date.today()
    sites = recordable_sites(user, today)
    form = VisitForm(sites=sites)
    if request.method == "GET":
        chosen = request.args.get("site_id", type=int)
        if chosen in form.site_ids:
            form.site_id.data = chosen
        form.visited_on.data = today
        return _render_visit_form(form, sites)

    form.validate()  # only the CSRF token and the date boxes here: the service checks the rest
    form.read_rows(request.form)
    if form.errors.get("csrf_token"):
        form.show_errors({})
        form.summary_errors = [{"text": "The form expired. Submit it again.", "href": "#site_id"}]
        return _render_visit_form(form, sites, 400)
    data = form.visit_data()
    errors = visit_errors(data, today=today) | form.own_errors()
    site_id = form.site_id.data
    if site_id is None:
        errors["site_id"] = ["Choose the site you visited"]
    elif site_id not in form.site_ids:
        errors["site_id"] = [
            "Choose one of your sites: you can log visits only at the sites assigned to you"
        ]
    if errors:
        form.show_errors(errors)
        return _render_visit_form(form, sites, 422)
    site = db.get_or_404(Site, site_id)
    try:
        visit = record_visit(site, data, user, today=today)
    except ValidationFailed as error:  # the same rules, so only a race gets here
        db.session.rollback()
        form.show_errors(error.fields)
        return _render_visit_form(form, sites, 422)
    db.session.commit()
    agreed = len(data["actions"])
    flash(
        f"Your visit to {site.name} is logged"
        + (f" with {agreed} agreed action{'' if agreed == 1 else 's'}." if agreed else ".")
    )
    return redirect(url_for(".detail", visit_id=visit.id))


@bp.route(f"/visits/{path_id('visit_id')}")
@allow(*EVERY_ROLE)
def detail(visit_id: int) -> Any:
    user = current_account()
    today = date.today()
    found = visit_detail(visit_id, today)
    if found is None:
        abort(404)
    get_site_or_404(user, found.visit.site_id)
    return render_template(
        "training/visits/visit.html",
        detail=found,
        visit=found.visit,
        can_change=can_review_site(user, found.visit.site_id),
        here=request.full_path.rstrip("?"),
        **display_labels(),
    )


# Actions ----------------------------------------------------------------------------------


@bp.route("/actions")
@allow(*STAFF)
def actions() -> Any:
    user = current_account()
    today = date.today()
    form = ActionFilterForm(formdata=request.args)
    form.set_sites(action_site_options(user))
    site_id, status, due = form.chosen()
    result = action_list(
        user,
        ActionFilters(site_id=site_id, status=status, due=due),
        page=page_number(),
        per_page=PER_PAGE,
        today=today,
    )
    errors = [{"text": m, "href": f"#{field.id}"} for field in form for m in field.errors]
    return render_template(
        "training/visits/actions.html",
        form=form,
        errors=errors,
        result=result,
        filtered=any(request.args.get(name) for name in ("site_id", "status", "due")),
        first_page=page_href("visits.actions", 1),
        here=request.full_path.rstrip("?"),
        **display_labels(),
    )


def _render_status_form(
    form: ActionStatusForm, row: Any, summary: list[dict[str, str]], status: int
) -> Any:
    page = render_template(
        "training/visits/action_status.html",
        form=form,
        action=row,
        summary=summary,
        **display_labels(),
    )
    return page, status


@bp.route(f"/actions/{path_id('action_id')}/status", methods=["GET", "POST"])
@allow(*STAFF)
def action_status(action_id: int) -> Any:
    user = current_account()
    today = date.today()
    action = db.get_or_404(Action, action_id)
    if not can_review_site(user, action.site_id):
        abort(403)
    row = action_detail(action_id, today)
    form = ActionStatusForm()
    back = _back(request.values.get("next"), url_for(".actions"))
    if request.method == "GET":
        form.status.data = (
            ActionStatus.DONE if action.status == ActionStatus.OPEN else action.status
        )
        form.version.data = action.version
        form.next.data = back
        return _render_status_form(form, row, [], 200)

    form.validate()
    form.next.data = back
    if form.errors.get("csrf_token"):
        return _render_status_form(
            form, row, [{"text": "The form expired. Submit it again.", "href": "#status"}], 400
        )
    try:
        if form.closed_on.errors:  # a date that is not a date
            raise ValidationFailed({"closed_on": list(form.closed_on.errors)})
        set_action_status(
            action,
            status=form.status.data or None,
            version=form.version.data,
            closed_on=form.closed_on.data,
            today=today,
        )
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        summary = []
        for name in ("status", "closed_on"):
            form[name].errors = list(error.fields.get(name, []))
            summary += [{"text": m, "href": error_href(form[name])} for m in form[name].errors]
        return _render_status_form(form, row, summary, 422)
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        current = db.session.get(Action, action_id)
        if current is None:
            abort(404)
        fresh = ActionStatusForm(formdata=None)
        fresh.status.data = (
            ActionStatus.DONE if current.status == ActionStatus.OPEN else current.status
        )
        fresh.version.data = current.version
        fresh.next.data = back
        message = STALE.format(status=ACTION_STATUSES[current.status].lower())
        return _render_status_form(
            fresh, action_detail(action_id, today), [{"text": message, "href": "#status"}], 409
        )
    flash(f"Action marked {CLOSED_LABELS[action.status]}: {action.description[:80]}")
    return redirect(back)


# My sites and the calendar ------------------------------------------------------------------


@bp.route("/my-sites/actions.ics")
@allow(*STAFF)
def calendar() -> Any:
    user = current_account()
    today = date.today()
    trainer, _ = chosen_trainer(user, request.args)
    if trainer is None:
        abort(404)
    ical = Calendar()
    ical.add("prodid", "-//IPS Network Tracker//Agreed actions//EN")
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("x-wr-calname", "IPS actions due")
    for row in calendar_actions(trainer.id, today):
        event = Event()
        event.add("uid", f"action-{row.id}@{CALENDAR_UID_DOMAIN}")
        stamp = row.updated_at
        if stamp.tzinfo is None:  # SQLite gives back naive times: they were stored as UTC
            stamp = stamp.replace(tzinfo=UTC)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("dtstart", row.due_on)
        event.add("dtend", row.due_on + timedelta(days=1))
        event.add("summary", f"{row.site_name}: {row.description}"[:250])
        event.add("description", f"Owner: {row.owner}\n\n{row.description}")
        event.add("url", url_for(".action_status", action_id=row.id, _external=True))
        event.add("transp", "TRANSPARENT")
        ical.add_component(event)
    response = Response(ical.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="ips-actions-due.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


# Trainers' activity ---------------------------------------------------------------------------


@bp.route("/visits/activity")
@allow("admin")
def activity() -> Any:
    today = date.today()
    found = trainer_activity(today)
    quiet = sites_without_recent_visit(today, page=page_number(), per_page=PER_PAGE)
    return render_template(
        "training/visits/activity.html",
        activity=found,
        by_month_chart=visits_by_month_chart(found) if found.total else None,
        by_purpose_chart=visits_by_purpose_chart(found) if found.total else None,
        quiet=quiet,
        no_visit_days=NO_VISIT_DAYS,
        since=today - timedelta(days=NO_VISIT_DAYS),
        first_page=page_href("visits.activity", 1),
        **display_labels(),
    )
