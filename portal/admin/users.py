"""Programme staff's user pages: the list, add, and edit (role, scope, password, active); an
admin may not take away their own admin role or deactivate themselves."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from accounts.models import User
from core.extensions import db
from core.web.access import allow
from portal.admin.blueprint import bp
from portal.admin.forms import EditUserForm, NewUserForm
from portal.admin.shared import matching, page, paged_records, save, search
from portal.users import create_user, update_user


@bp.route("/users")
@allow("admin")
def users() -> Any:
    q = search()
    statement = sa.select(User).options(joinedload(User.funder)).order_by(User.name, User.id)
    if q:
        statement = statement.where(sa.or_(matching(User.name, q), matching(User.email, q)))
    return render_template("admin/users.html", page=paged_records(statement), q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def user_new() -> Any:
    form = NewUserForm()
    user = save(
        form,
        lambda: create_user(
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password=form.password.data,
            site_ids=form.site_ids.data or [],
            funder_id=form.funder_id.data,
        ),
    )
    if user is not None:
        flash(f"User {user.email} added as {user.role_label.lower()}.")
        return redirect(url_for(".users"))
    return page("admin/user_form.html", form)


def _own_access_kept(user: User, form: EditUserForm) -> bool:
    """An admin may not take away their own way in: that needs another admin."""
    if user.id != current_user.id or (form.role.data == "admin" and form.active.data):
        return True
    form.form_errors.append("You cannot remove your own admin role or deactivate yourself")
    return False


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow("admin")
def user_edit(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.site_ids.data = [site.id for site in user.sites]
    saved = None
    if request.method == "GET" or _own_access_kept(user, form):
        saved = save(
            form,
            lambda: update_user(
                user,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                site_ids=form.site_ids.data or [],
                funder_id=form.funder_id.data,
                password=form.password.data or None,
                version=form.version.data,
            ),
        )
    if saved is not None:
        flash(f"User {saved.email} saved.")
        return redirect(url_for(".users"))
    return page("admin/user_form.html", form, user=user)
