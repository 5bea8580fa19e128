"""Trainers' pages: "My sites", the visit log (and its corrections), agreed actions and the
calendar export, and the admin's view of the trainers' activity; site leads' updates of their
sites' actions. Reads are training/visits/queries.py; writes go through
training/visits/services.py and are committed here, once per request.

Changing an action from a list keeps its row where it was on the page the change returns to,
with its new status, and a banner offers to undo marking it done or dropped: the session holds
the ids of the actions just changed (`just_changed_actions`, which the lists' templates ask) until
a list has shown them once, as a flashed message is.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.paging import page_href, page_number
from core.schemas import path_id
from core.web.access import allow
from core.web.forms import error_href, query_id
from core.web.redirects import local_address
from sites.models import Site
from sites.queries import get_site_or_404
from training.assignments.queries import can_review_site
from training.centres.queries import trainers_and_hosts
from training.models import ACTION_STATUSES, Action
from training.visits.actions import ActionStatus
from training.visits.activity import NO_VISIT_DAYS, sites_without_recent_visit, trainer_activity
from training.visits.calendar import actions_calendar, calendar_actions
from training.visits.charts import visits_by_month_chart, visits_by_purpose_chart
from training.visits.forms import (
    ActionFilterForm,
    ActionStatusForm,
    ActionUndoForm,
    VisitEditForm,
    VisitForm,
    chosen_trainer,
    display_labels,
)
from training.visits.queries import (
    ActionFilters,
    action_detail,
    action_list,
    action_site_options,
    action_statuses,
    can_update_actions,
    recordable_sites,
    visit_detail,
)
from training.visits.recent_changes import just_changed_actions, remember, undoable
from training.visits.services import (
    KEEP,
    MAX_ACTIONS,
    record_visit,
    reopen_action,
    set_action_status,
    update_visit,
    visit_errors,
)

bp = Blueprint("visits", __name__)

STAFF = ("admin", "trainer")  # who records and corrects visits, and drops actions
ACTION_UPDATERS = (*STAFF, "site_lead")  # a site lead marks its own sites' actions done
VISIT_READERS = (*STAFF, "site_lead")  # funders see aggregates only: no visits, no actions
PER_PAGE = 50
STALE = (
    "Someone else changed this action since you opened it: it is now {status}. "
    "Check it and choose again."
)
STALE_VISIT = (
    "Someone else changed this visit or its actions since you opened it. The form now shows "
    "what is saved: check it and make your change again."
)
STALE_UNDO = "This action has changed since it was marked: it is now {status}. Nothing was undone."
EXPIRED = "The form expired. Submit it again."
NO_DROPPING = "Only programme staff and the site's trainers may drop an action."


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
        chosen = query_id("site_id")
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
@allow(*VISIT_READERS)
def detail(visit_id: int) -> Any:
    user = current_account()
    today = date.today()
    found = visit_detail(visit_id, today)
    if found is None:
        abort(404)
    get_site_or_404(user, found.visit.site_id)
    can_edit = can_review_site(user, found.visit.site_id)
    return render_template(
        "training/visits/visit.html",
        detail=found,
        visit=found.visit,
        can_edit=can_edit,
        can_change=can_edit or can_update_actions(user, found.visit.site_id),
        here=request.full_path.rstrip("?"),
        **display_labels(),
    )


def _render_edit_form(form: VisitEditForm, found: Any, status: int = 200) -> Any:
    return (
        render_template(
            "training/visits/edit.html",
            form=form,
            detail=found,
            visit=found.visit,
            rows=form.shown_rows(),
            logged={str(action.id): action for action in found.actions},
            max_actions=MAX_ACTIONS,
            **display_labels(),
        ),
        status,
    )


def _fresh_edit_form(found: Any) -> VisitEditForm:
    form = VisitEditForm(formdata=None)
    form.fill(found.visit, found.actions)
    form.version.data = found.visit.version
    return form


@bp.route(f"/visits/{path_id('visit_id')}/edit", methods=["GET", "POST"])
@allow(*STAFF)
def edit(visit_id: int) -> Any:
    """Correct a logged visit: its date, purpose and summary, and its actions' descriptions,
    owners and due dates (and add actions that were agreed but not logged)."""
    user = current_account()
    today = date.today()
    found = visit_detail(visit_id, today)
    if found is None:
        abort(404)
    if not can_review_site(user, found.visit.site_id):
        abort(403)
    if request.method == "GET":
        return _render_edit_form(_fresh_edit_form(found), found)

    form = VisitEditForm()
    form.validate()  # only the CSRF token and the date boxes here: the service checks the rest
    form.read_rows(request.form)
    if form.errors.get("csrf_token"):
        form.show_errors({})
        form.summary_errors = [{"text": EXPIRED, "href": "#visited_on-day"}]
        return _render_edit_form(form, found, 400)
    data = form.visit_data()
    try:
        own = form.own_errors()
        if own:  # a date that is not a date: named beside every other message at once
            raise ValidationFailed(visit_errors(data, today=today) | own)
        update_visit(found.visit, data, version=form.version.data, today=today)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        form.show_errors(error.fields)
        return _render_edit_form(form, found, 422)
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        current = visit_detail(visit_id, today)
        if current is None:
            abort(404)
        fresh = _fresh_edit_form(current)
        fresh.summary_errors = [{"text": STALE_VISIT, "href": "#visited_on-day"}]
        return _render_edit_form(fresh, current, 409)
    flash("Your changes to the visit are saved.")
    return redirect(url_for(".detail", visit_id=visit_id))


# Actions ----------------------------------------------------------------------------------


bp.add_app_template_global(just_changed_actions)


@bp.route("/actions")
@allow(*ACTION_UPDATERS)
def actions() -> Any:
    """The actions of the sites the user may change: a trainer's assigned sites, a site lead's
    own sites, every site for an admin."""
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
        kept=just_changed_actions().ids,
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
@allow(*ACTION_UPDATERS)
def action_status(action_id: int) -> Any:
    """Mark an action done or dropped, with a date and a note, or open it again. A lead of the
    action's site may mark it done or open it again, but not drop it."""
    user = current_account()
    today = date.today()
    action = db.get_or_404(Action, action_id)
    allowed = action_statuses(user, action.site_id)
    if not allowed:
        abort(403)
    row = action_detail(action_id, today)
    form = ActionStatusForm()
    form.offer(allowed)
    back = local_address(request.values.get("next"), url_for(".actions"))
    if request.method == "GET":
        form.fill(action)
        form.next.data = back
        return _render_status_form(form, row, [], 200)

    form.validate()
    form.next.data = back
    if form.errors.get("csrf_token"):
        return _render_status_form(form, row, [{"text": EXPIRED, "href": "#status"}], 400)
    if form.status.data in tuple(ActionStatus) and form.status.data not in allowed:
        abort(403, NO_DROPPING)  # a status not offered (anything else is a mistake to name)
    was_open = action.status == ActionStatus.OPEN
    try:
        if form.closed_on.errors:  # a date that is not a date
            raise ValidationFailed({"closed_on": list(form.closed_on.errors)})
        set_action_status(
            action,
            status=form.status.data or None,
            version=form.version.data,
            closed_on=form.closed_on.data,
            note=form.note.data if "note" in request.form else KEEP,
            today=today,
        )
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        summary = []
        for name in ("status", "closed_on", "note"):
            form[name].errors = list(error.fields.get(name, []))
            summary += [{"text": m, "href": error_href(form[name])} for m in form[name].errors]
        return _render_status_form(form, row, summary, 422)
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        current = db.session.get(Action, action_id)
        if current is None:
            abort(404)
        fresh = ActionStatusForm(formdata=None)
        fresh.offer(allowed)
        fresh.fill(current)
        fresh.next.data = back
        message = STALE.format(status=ACTION_STATUSES[current.status].lower())
        return _render_status_form(
            fresh, action_detail(action_id, today), [{"text": message, "href": "#status"}], 409
        )
    closed = action.status != ActionStatus.OPEN
    undo = closed and (was_open or undoable(action.id))
    remember(action, undo=undo)
    if not undo:  # the banner says what an undoable change did; a flash says the others
        label = "open again" if not closed else ACTION_STATUSES[action.status].lower()
        flash(f"Action marked {label}: {_short(action.description)}")
    return redirect(back)


@bp.route(f"/actions/{path_id('action_id')}/undo", methods=["POST"])
@allow(*ACTION_UPDATERS)
def action_undo(action_id: int) -> Any:
    """The banner's "Undo": open again the action just marked done or dropped, if it is as it
    was then (the version the banner showed)."""
    user = current_account()
    action = db.get_or_404(Action, action_id)
    if not can_update_actions(user, action.site_id):
        abort(403)
    form = ActionUndoForm()
    form.validate()
    back = local_address(form.next.data, url_for(".actions"))
    if form.errors.get("csrf_token"):
        flash("The form expired: nothing was undone. Try again.")
        return redirect(back)
    try:
        reopen_action(action, version=form.version.data)
        db.session.commit()
    except (StaleVersion, StaleDataError, ValidationFailed):
        db.session.rollback()
        current = db.session.get(Action, action_id)
        if current is None:
            abort(404)
        flash(STALE_UNDO.format(status=ACTION_STATUSES[current.status].lower()))
        remember(current, undo=False)
        return redirect(back)
    remember(action, undo=False)
    flash(f"Undone: {_short(action.description)} is open again.")
    return redirect(back)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# My sites and the calendar ------------------------------------------------------------------


@bp.route("/my-sites/actions.ics")
@allow(*STAFF)
def calendar() -> Any:
    user = current_account()
    today = date.today()
    trainer, _ = chosen_trainer(user, request.args)
    if trainer is None:
        abort(404)
    rows = calendar_actions(trainer.id, today)
    body = actions_calendar(
        rows, lambda row: url_for(".action_status", action_id=row.id, _external=True)
    )
    response = Response(body, mimetype="text/calendar")
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
        trainers=trainers_and_hosts(),
        no_visit_days=NO_VISIT_DAYS,
        since=today - timedelta(days=NO_VISIT_DAYS),
        first_page=page_href("visits.activity", 1),
        **display_labels(),
    )
