"""Programme staff's mentoring pages: record that one site mentors another (reached from either
site's page, which it presets), and end a mentoring."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from wtforms import SelectChoice

from core.errors import ValidationFailed
from core.extensions import db
from core.schemas import path_id
from core.web.access import allow
from core.web.forms import query_id
from portal.admin.blueprint import bp
from portal.admin.shared import page, save
from programme.models import Programme
from sites.mentoring.forms import EndMentoringForm, MentoringForm
from sites.mentoring.services import end_mentoring, record_mentoring
from sites.models import Mentoring, Site


def _programme_choices() -> list[SelectChoice]:
    rows = db.session.execute(sa.select(Programme.id, Programme.name).order_by(Programme.name))
    return [SelectChoice(row.id, row.name) for row in rows]


def _record(form: MentoringForm) -> Mentoring:
    mentor = db.session.get(Site, form.mentor_site_id.data)
    if mentor is None:  # removed since the form was drawn
        raise ValidationFailed({"mentor_site_id": ["Choose the site that mentors"]})
    return record_mentoring(
        mentor,
        mentee_site_id=form.mentee_site_id.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        programme_id=form.programme_id.data,
        note=form.note.data,
    )


@bp.route("/mentoring/new", methods=["GET", "POST"])
@allow("admin")
def mentoring_new() -> Any:
    """?mentor_site_id= or ?mentee_site_id= presets one of the two sites: the page it came from."""
    mentor_id, mentee_id = query_id("mentor_site_id"), query_id("mentee_site_id")
    from_site = db.session.get(Site, mentor_id or mentee_id) if mentor_id or mentee_id else None
    form = MentoringForm(programmes=_programme_choices())
    if request.method == "GET":
        form.mentor_site_id.data = mentor_id
        form.mentee_site_id.data = mentee_id
    mentoring = save(form, lambda: _record(form))
    if mentoring is not None:
        flash(f"Recorded: {mentoring.mentor.name} mentors {mentoring.mentee.name}.")
        back = from_site.id if from_site else mentoring.mentor_site_id
        return redirect(url_for("sites.detail", site_id=back, _anchor="mentoring"))
    return page("admin/mentoring_form.html", form, from_site=from_site)


@bp.route(f"/mentoring/{path_id('mentoring_id')}/end", methods=["GET", "POST"])
@allow("admin")
def mentoring_end(mentoring_id: int) -> Any:
    mentoring = db.get_or_404(Mentoring, mentoring_id)
    form = EndMentoringForm(obj=mentoring if request.method == "GET" else None)
    saved = save(form, lambda: end_mentoring(mentoring, form.ends_on.data, form.version.data))
    if saved is not None:
        ends = f"{saved.ends_on.day} {saved.ends_on:%B %Y}"
        flash(f"The mentoring of {saved.mentee.name} by {saved.mentor.name} ends on {ends}.")
        return redirect(url_for("sites.detail", site_id=saved.mentor_site_id, _anchor="mentoring"))
    return page("admin/mentoring_end.html", form, mentoring=mentoring)
