"""Programme staff's site pages: the list, add, edit, and recording a Centre of Excellence
award (designation)."""

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
from sites.forms import DesignationForm, SiteForm
from sites.models import Organisation, Site
from sites.services import SITE_FIELDS, add_designation, create_site, update_site


@bp.route("/sites")
@allow("admin")
def sites() -> Any:
    q = search()
    statement = (
        sa.select(Site)
        .join(Site.organisation)
        .options(joinedload(Site.organisation))
        .order_by(Site.name, Organisation.name, Site.id)
    )
    if q:
        statement = statement.where(sa.or_(matching(Site.name, q), matching(Organisation.name, q)))
    return render_template("admin/sites.html", page=paged_records(statement), q=q)


@bp.route("/sites/new", methods=["GET", "POST"])
@allow("admin")
def site_new() -> Any:
    form = SiteForm()
    site = save(form, lambda: create_site(values(form, SITE_FIELDS)))
    if site is not None:
        flash(f"Site '{site.name}' added.")
        return redirect(url_for(".site_edit", site_id=site.id))
    return page("admin/site_form.html", form)


@bp.route(f"/sites/{path_id('site_id')}/edit", methods=["GET", "POST"])
@allow("admin")
def site_edit(site_id: int) -> Any:
    site = db.get_or_404(Site, site_id)
    form = SiteForm(obj=site if request.method == "GET" else None)
    saved = save(form, lambda: update_site(site, values(form, SITE_FIELDS), form.version.data))
    if saved is not None:
        flash(f"Site '{saved.name}' saved.")
        return redirect(url_for(".sites"))
    return page(
        "admin/site_form.html", form, site=site, designation_form=DesignationForm(formdata=None)
    )


@bp.route(f"/sites/{path_id('site_id')}/designations/new", methods=["GET", "POST"])
@allow("admin")
def designation_new(site_id: int) -> Any:
    site = db.get_or_404(Site, site_id)
    form = DesignationForm()
    designation = save(
        form, lambda: add_designation(site, form.awarded_on.data, form.ended_on.data)
    )
    if designation is not None:
        flash(f"Centre of Excellence award recorded for {site.name}.")
        return redirect(url_for(".site_edit", site_id=site.id))
    return page("admin/designation_form.html", form, site=site)
