"""Approval pages: programme staff's approval list (filter, approve several at once), and the
buttons of the return page: approve, send back, reopen (programme staff) and ask to reopen (the
site lead). Writes go through sites/returns/approval/services.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from accounts.current import current_account
from accounts.scopes import programme_options
from core.errors import StaleVersion, ValidationFailed
from core.extensions import db
from core.months import Month
from core.paging import page_number
from core.schemas import path_id
from core.web.access import allow
from sites.models import MonthlyReturn, Site
from sites.returns import workflow
from sites.returns.approval import services
from sites.returns.approval.forms import (
    ApprovalFilterForm,
    ApproveForm,
    BulkApproveForm,
    ReasonForm,
)
from sites.returns.approval.queries import ApprovalFilters, approval_list
from sites.returns.queries import get_site_for_returns_or_404
from sites.returns.services import find_return

bp = Blueprint("approval", __name__)

RETURN = f"/sites/{path_id('site_id')}/returns/<month:month>"
PER_PAGE = 50
STALE = (
    "Someone else changed this return since you opened it. Check it as it is now, then try again."
)
EXPIRED = "The form expired. Try again."
DONE = {
    workflow.Move.APPROVE: "The {month} return of {site} is approved.",
    workflow.Move.SEND_BACK: "The {month} return of {site} is sent back. Its site lead is told.",
    workflow.Move.REOPEN: "The {month} return of {site} is reopened: it is submitted again.",
    workflow.Move.ASK_TO_REOPEN: "You have asked programme staff to reopen the {month} return. "
    "They see your reason on their approval list.",
}
ACTIONS = {
    workflow.Move.SEND_BACK: ("Send this return back", "approval.send_back"),
    workflow.Move.REOPEN: ("Reopen this return", "approval.reopen"),
    workflow.Move.ASK_TO_REOPEN: ("Ask to reopen this return", "approval.ask_to_reopen"),
}


def _site_and_return(site_id: int, month: date) -> tuple[Site, MonthlyReturn]:
    site = get_site_for_returns_or_404(current_account(), site_id)
    found = find_return(site.id, month)
    if found is None:
        abort(404)
    return site, found


def _back_to(site: Site, month: date) -> Any:
    return redirect(url_for("returns.edit", site_id=site.id, month=month))


@bp.route("/approval")
@allow("admin")
def index() -> Any:
    """Returns awaiting approval, the longest waiting first, filtered by programme and region."""
    form = ApprovalFilterForm(formdata=request.args)
    form.set_programmes(programme_options(current_account()))
    form.validate()
    programme_id, region = form.chosen_programme_id(), form.chosen_region()
    filters = ApprovalFilters(programme_id=programme_id, region=region)
    found = approval_list(filters, page_number(), PER_PAGE)
    values = {k: v for k, v in (("programme_id", programme_id), ("region", region)) if v}
    return render_template(
        "sites/returns/approval/index.html",
        form=form,
        bulk=BulkApproveForm(formdata=None),
        found=found,
        filtered=bool(values),
        values=values,
    )


@bp.route("/approval", methods=["POST"])
@allow("admin")
def approve_many() -> Any:
    """Approve the returns ticked on the approval list; each is checked again."""
    form = BulkApproveForm()
    back = redirect(url_for("approval.index", **request.args))
    if not form.validate():
        flash(EXPIRED)
        return back
    chosen = form.chosen(request.form.getlist("returns"))
    if not chosen:
        flash("Tick the returns to approve first.")
        return back
    try:
        result = services.approve_many(chosen, current_account())
        db.session.commit()
    except StaleVersion as error:
        db.session.rollback()
        flash(error.message)
        return back
    if result.approved:
        count = len(result.approved)
        flash(f"{count:,} return{'s' if count != 1 else ''} approved.")
    for record, why in result.refused:
        name = f"The {record.month:%B %Y} return of {record.site.name}" if record else "A return"
        flash(f"{name} {why}.")
    return back


@bp.route(f"{RETURN}/approve", methods=["POST"])
@allow("admin")
def approve(site_id: int, month: Month) -> Any:
    site, found = _site_and_return(site_id, month)
    form = ApproveForm()
    if not form.validate():
        flash(EXPIRED)
        return _back_to(site, month)
    refused = _moved(
        site, month, lambda: services.approve(found, current_account(), version=form.version.data)
    )
    if refused is not None:
        return refused
    flash(DONE[workflow.Move.APPROVE].format(month=f"{month:%B %Y}", site=site.name))
    return _back_to(site, month)


def _moved(site: Any, month: date, move: Callable[[], object]) -> Any | None:
    """Make the move and commit: None when it is done, else the way back to the return, with
    why not (a refusal of who asks is a 403). A ValidationFailed is the caller's to show."""
    try:
        move()
        db.session.commit()
    except workflow.Refused as refusal:
        db.session.rollback()
        if not refusal.conflict:
            abort(403)
        flash(refusal.message)
        return _back_to(site, month)
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        flash(STALE)
        return _back_to(site, month)
    return None


def _reason_page(move: workflow.Move, site_id: int, month: date) -> Any:
    """The page of a move that needs a reason: its form on GET; the move on POST, or the form
    again with the message (422), or the return page with why not."""
    site, found = _site_and_return(site_id, month)
    form = ReasonForm().for_move(move)
    title, endpoint = ACTIONS[move]
    summary: list[dict[str, str]] = []
    status = 200
    if request.method == "GET":
        try:
            workflow.step(services.actor_of(current_account(), site.id), move, found.status)
        except workflow.Refused as refusal:
            if not refusal.conflict:
                abort(403)
            flash(refusal.message)
            return _back_to(site, month)
        form.version.data = found.version
    elif not form.validate():
        summary = [{"text": EXPIRED, "href": f"#{form.reason.id}"}]
        status = 400
    else:
        services_move = {
            workflow.Move.SEND_BACK: services.send_back,
            workflow.Move.REOPEN: services.reopen,
            workflow.Move.ASK_TO_REOPEN: services.ask_to_reopen,
        }[move]
        try:
            refused = _moved(
                site,
                month,
                lambda: services_move(
                    found, current_account(), version=form.version.data, reason=form.reason.data
                ),
            )
        except ValidationFailed as error:
            db.session.rollback()
            form.reason.errors = list(error.fields.get("reason", []))
            summary = [{"text": m, "href": f"#{form.reason.id}"} for m in form.reason.errors]
            status = 422
        else:
            if refused is not None:
                return refused
            flash(DONE[move].format(month=f"{month:%B %Y}", site=site.name))
            return _back_to(site, month)
    return (
        render_template(
            "sites/returns/approval/reason.html",
            site=site,
            month=month,
            found=found,
            form=form,
            summary=summary,
            title=title,
            action=url_for(endpoint, site_id=site.id, month=month),
        ),
        status,
    )


@bp.route(f"{RETURN}/send-back", methods=["GET", "POST"])
@allow("admin")
def send_back(site_id: int, month: Month) -> Any:
    return _reason_page(workflow.Move.SEND_BACK, site_id, month)


@bp.route(f"{RETURN}/reopen", methods=["GET", "POST"])
@allow("admin")
def reopen(site_id: int, month: Month) -> Any:
    return _reason_page(workflow.Move.REOPEN, site_id, month)


@bp.route(f"{RETURN}/ask-to-reopen", methods=["GET", "POST"])
@allow("site_lead")
def ask_to_reopen(site_id: int, month: Month) -> Any:
    return _reason_page(workflow.Move.ASK_TO_REOPEN, site_id, month)
