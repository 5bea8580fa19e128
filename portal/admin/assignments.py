"""Programme staff's pages for trainers' assignments to sites (issue 6): the list, assign a
trainer, and end an assignment (or change its end date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from accounts.models import User
from core.errors import ValidationFailed
from core.extensions import db
from core.web.access import allow
from core.web.forms import query_id
from portal.admin.blueprint import bp
from portal.admin.shared import page, paged_records, save, search
from training.assignments.queries import assignment_state, assignments_select
from training.assignments.services import assign_trainer, end_assignment
from training.models import Assignment
from training.visits.forms import AssignmentForm, EndAssignmentForm
from training.visits.queries import trainer_options


@bp.route("/assignments")
@allow("admin")
def assignments() -> Any:
    q = search()
    today = date.today()
    return render_template(
        "admin/assignments.html",
        page=paged_records(assignments_select(q, today)),
        q=q,
        state=lambda assignment: assignment_state(assignment, today),
    )


@bp.route("/assignments/new", methods=["GET", "POST"])
@allow("admin")
def assignment_new() -> Any:
    form = AssignmentForm(trainers=trainer_options())
    if request.method == "GET":
        form.starts_on.data = date.today()
        form.site_id.data = query_id("site_id")

    def change() -> Any:
        trainer = db.session.get(User, form.user_id.data)
        if trainer is None:
            raise ValidationFailed({"user_id": ["Choose the trainer"]})
        return assign_trainer(
            user=trainer,
            site_id=form.site_id.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )

    assignment = save(form, change)
    if assignment is not None:
        flash(f"{assignment.user.name} is assigned to {assignment.site.name}.")
        return redirect(url_for(".assignments"))
    return page("admin/assignment_form.html", form)


@bp.route("/assignments/<int(max=2147483647):assignment_id>/end", methods=["GET", "POST"])
@allow("admin")
def assignment_end(assignment_id: int) -> Any:
    assignment = db.get_or_404(Assignment, assignment_id)
    form = EndAssignmentForm()
    if request.method == "GET":
        form.ends_on.data = assignment.ends_on or max(date.today(), assignment.starts_on)
        form.version.data = assignment.version
    saved = save(form, lambda: end_assignment(assignment, form.ends_on.data, form.version.data))
    if saved is not None:
        ends = f"{saved.ends_on.day} {saved.ends_on:%B %Y}"
        flash(f"{saved.user.name}'s assignment to {saved.site.name} ends on {ends}.")
        return redirect(url_for(".assignments"))
    return page("admin/assignment_end.html", form, assignment=assignment)
