"""Programme staff's programme pages: the list, add, edit (with its target profile), and the
sites that take part (participations): add one, or change its dates and target."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.schemas import path_id
from core.web.access import allow
from portal.admin.blueprint import bp
from portal.admin.shared import matching, page, paged_records, save, search, values
from programme.forms import (
    ParticipationDatesForm,
    ParticipationForm,
    ProgrammeForm,
    profile_text,
)
from programme.models import PARTICIPATION_ROLES, Participation, Programme
from programme.services import (
    add_participation,
    create_programme,
    update_participation,
    update_programme,
)
from sites.models import Site

PROGRAMME_FORM_FIELDS = (
    "name",
    "funder_id",
    "summary",
    "starts_on",
    "ends_on",
    "job_start_target",
    "lead_organisation_id",
    "partner_organisation_ids",
)
PROGRAMME_ERRORS = {"funder": "funder_id"}


@bp.route("/programmes")
@allow("admin")
def programmes() -> Any:
    q = search()
    statement = (
        sa.select(Programme)
        .options(joinedload(Programme.funder))
        .order_by(Programme.starts_on.desc(), Programme.name, Programme.id)
    )
    if q:
        statement = statement.where(matching(Programme.name, q))
    return render_template("admin/programmes.html", page=paged_records(statement), q=q)


@bp.route("/programmes/new", methods=["GET", "POST"])
@allow("admin")
def programme_new() -> Any:
    form = ProgrammeForm()
    programme = save(
        form,
        lambda: create_programme(
            values(form, PROGRAMME_FORM_FIELDS)
            | {"target_profile": form.target_profile.points or None}
        ),
        PROGRAMME_ERRORS,
    )
    if programme is not None:
        flash(f"Programme '{programme.name}' added. Now add the sites that take part.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    return page("admin/programme_form.html", form)


def _programme_changes(programme: Programme, form: ProgrammeForm) -> dict[str, Any]:
    """The form's fields; the profile only when it differs, so an untouched one is not rewritten."""
    data = values(form, PROGRAMME_FORM_FIELDS)
    current = [{"month": m.month, "cumulative": m.cumulative} for m in programme.target_profile]
    if form.target_profile.points != current:
        data["target_profile"] = form.target_profile.points  # [] goes back to a straight line
    return data


@bp.route(f"/programmes/{path_id('programme_id')}/edit", methods=["GET", "POST"])
@allow("admin")
def programme_edit(programme_id: int) -> Any:
    programme = db.get_or_404(Programme, programme_id)
    form = ProgrammeForm(obj=programme if request.method == "GET" else None)
    if request.method == "GET":
        form.target_profile.data = profile_text(programme.target_profile)
        form.partner_organisation_ids.data = [p.organisation_id for p in programme.partners]
    saved = save(
        form,
        lambda: update_programme(programme, _programme_changes(programme, form), form.version.data),
        PROGRAMME_ERRORS,
    )
    if saved is not None:
        flash(f"Programme '{saved.name}' saved.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    participations = db.session.scalars(
        sa.select(Participation)
        .where(Participation.programme_id == programme.id)
        .options(joinedload(Participation.site).joinedload(Site.organisation))
        .order_by(Participation.joined_on, Participation.id)
    ).all()
    return page(
        "admin/programme_form.html",
        form,
        programme=programme,
        participations=participations,
        roles=PARTICIPATION_ROLES,
        participation_form=ParticipationForm(formdata=None, joined_on=programme.starts_on),
    )


@bp.route(f"/programmes/{path_id('programme_id')}/sites/new", methods=["GET", "POST"])
@allow("admin")
def participation_new(programme_id: int) -> Any:
    programme = db.get_or_404(Programme, programme_id)
    form = ParticipationForm()
    participation = save(
        form,
        lambda: add_participation(
            programme,
            site_id=form.site_id.data,
            joined_on=form.joined_on.data,
            left_on=form.left_on.data,
            site_target=form.site_target.data,
            role=form.role.data,
        ),
    )
    if participation is not None:
        flash(f"{participation.site.name} added to {programme.name}.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    return page("admin/participation_form.html", form, programme=programme)


@bp.route(f"/participations/{path_id('participation_id')}/edit", methods=["GET", "POST"])
@allow("admin")
def participation_edit(participation_id: int) -> Any:
    participation = db.get_or_404(Participation, participation_id)
    programme = participation.programme
    form = ParticipationDatesForm(obj=participation if request.method == "GET" else None)
    saved = save(
        form,
        lambda: update_participation(
            participation,
            joined_on=form.joined_on.data,
            left_on=form.left_on.data,
            site_target=form.site_target.data,
            version=form.version.data,
            role=form.role.data,
        ),
    )
    if saved is not None:
        flash(f"{saved.site.name}'s part in {programme.name} saved.")
        return redirect(url_for(".programme_edit", programme_id=programme.id))
    return page(
        "admin/participation_form.html", form, programme=programme, participation=participation
    )
