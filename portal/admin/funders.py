"""Programme staff's funder pages: the list, add and edit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from core.extensions import db
from core.schemas import path_id
from core.web.access import allow
from portal.admin.blueprint import bp
from portal.admin.shared import matching, page, paged_records, save, search
from programme.forms import FunderForm
from programme.models import Funder
from programme.services import create_funder, update_funder


@bp.route("/funders")
@allow("admin")
def funders() -> Any:
    q = search()
    statement = sa.select(Funder).order_by(Funder.name, Funder.id)
    if q:
        statement = statement.where(matching(Funder.name, q))
    return render_template("admin/funders.html", page=paged_records(statement), q=q)


@bp.route("/funders/new", methods=["GET", "POST"])
@allow("admin")
def funder_new() -> Any:
    form = FunderForm()
    funder = save(form, lambda: create_funder(form.name.data))
    if funder is not None:
        flash(f"Funder '{funder.name}' added.")
        return redirect(url_for(".funders"))
    return page("admin/funder_form.html", form)


@bp.route(f"/funders/{path_id('funder_id')}/edit", methods=["GET", "POST"])
@allow("admin")
def funder_edit(funder_id: int) -> Any:
    funder = db.get_or_404(Funder, funder_id)
    form = FunderForm(obj=funder if request.method == "GET" else None)
    saved = save(form, lambda: update_funder(funder, form.name.data, form.version.data))
    if saved is not None:
        flash(f"Funder '{saved.name}' saved.")
        return redirect(url_for(".funders"))
    return page("admin/funder_form.html", form, funder=funder)
