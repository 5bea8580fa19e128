"""Programme staff's organisation pages: the list, add, and edit (with "Find by ODS code")."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from core.extensions import db
from core.schemas import path_id
from core.web.access import allow
from portal.admin.blueprint import bp
from portal.admin.forms import ods_lookup
from portal.admin.shared import matching, page, paged_records, save, search, values
from sites.forms import OrganisationForm
from sites.models import Organisation
from sites.services import ORGANISATION_FIELDS, create_organisation, update_organisation


@bp.route("/organisations")
@allow("admin")
def organisations() -> Any:
    q = search()
    statement = sa.select(Organisation).order_by(Organisation.name, Organisation.id)
    if q:
        statement = statement.where(matching(Organisation.name, q))
    return render_template("admin/organisations.html", page=paged_records(statement), q=q)


@bp.route("/organisations/new", methods=["GET", "POST"])
@allow("admin")
def organisation_new() -> Any:
    form = OrganisationForm()
    lookup = ods_lookup(form)  # issue 7: "Find by ODS code" fills the form for the user to check
    organisation = save(form, lambda: create_organisation(values(form, ORGANISATION_FIELDS)))
    if organisation is not None:
        flash(f"Organisation '{organisation.name}' added.")
        return redirect(url_for(".organisations"))
    return page("admin/organisation_form.html", form, lookup=lookup)


@bp.route(f"/organisations/{path_id('organisation_id')}/edit", methods=["GET", "POST"])
@allow("admin")
def organisation_edit(organisation_id: int) -> Any:
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    lookup = ods_lookup(form)  # issue 7: "Find by ODS code" fills the form for the user to check
    saved = save(
        form,
        lambda: update_organisation(
            organisation, values(form, ORGANISATION_FIELDS), form.version.data
        ),
    )
    if saved is not None:
        flash(f"Organisation '{saved.name}' saved.")
        return redirect(url_for(".organisations"))
    return page("admin/organisation_form.html", form, organisation=organisation, lookup=lookup)
