"""Programme staff's user pages: the list (with each invitation's state), invite, add with a
password, edit (role, scope, password, active) and send an invitation again; an admin may not
take away their own admin role or deactivate themselves. From a user's page: unlock an account
locked by failed logins, and reset a lost second factor (both audited and in the security
log)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from accounts import second_factor
from accounts.current import current_account
from accounts.links import INVITATION
from accounts.lockout import locked_until, unlock
from accounts.models import AccountLink, User
from accounts.security_log import by_whom, record
from accounts.sessions import finish_sign_in
from core.errors import ValidationFailed
from core.extensions import db
from core.mail import EmailDelivery
from core.schemas import path_id
from core.web.access import allow
from portal.admin.blueprint import bp
from portal.admin.forms import EditUserForm, InviteUserForm, NewUserForm
from portal.admin.shared import matching, page, paged_records, save, search
from portal.users import create_user, invite_user, send_new_invitation, update_user
from training.models import TrainerRegion


def invitation_emails(emails: list[str]) -> dict[str, EmailDelivery]:
    """The latest invitation e-mail to each of these addresses."""
    if not emails:
        return {}
    rows = db.session.scalars(
        sa.select(EmailDelivery)
        .where(EmailDelivery.purpose == INVITATION, EmailDelivery.recipient.in_(emails))
        .order_by(EmailDelivery.created_at, EmailDelivery.id)
    )
    return {row.recipient: row for row in rows}


@bp.route("/users")
@allow("admin")
def users() -> Any:
    q = search()
    statement = sa.select(User).options(joinedload(User.funder)).order_by(User.name, User.id)
    if q:
        statement = statement.where(sa.or_(matching(User.name, q), matching(User.email, q)))
    listed = paged_records(statement)
    invitations = invitation_emails([user.email for user in listed.rows])
    return render_template("admin/users.html", page=listed, q=q, invitations=invitations)


@bp.route("/users/invite", methods=["GET", "POST"])
@allow("admin")
def user_invite() -> Any:
    form = InviteUserForm()
    user = save(
        form,
        lambda: invite_user(
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            site_ids=form.site_ids.data or [],
            funder_id=form.funder_id.data,
            invited_by=current_account(),
            organisation_id=form.organisation_id.data,
            regions=form.regions.data or [],
        ),
    )
    if user is not None:
        flash(f"Invitation sent to {user.email}, as {user.role_label.lower()}.")
        return redirect(url_for(".users"))
    return page("admin/user_invite.html", form)


@bp.route(f"/users/{path_id('user_id')}/invite", methods=["POST"])
@allow("admin")
def user_reinvite(user_id: int) -> Any:
    """Send the invitation again: a new link, and the old one stops working."""
    user = db.get_or_404(User, user_id)
    try:
        send_new_invitation(user, current_account())
    except ValidationFailed as error:
        db.session.rollback()
        for messages in error.fields.values():
            for message in messages:
                flash(message)
        return redirect(url_for(".user_edit", user_id=user.id))
    db.session.commit()
    flash(f"Invitation sent again to {user.email}. The earlier link no longer works.")
    return redirect(url_for(".users"))


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
            organisation_id=form.organisation_id.data,
            regions=form.regions.data or [],
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


@bp.route(f"/users/{path_id('user_id')}/edit", methods=["GET", "POST"])
@allow("admin")
def user_edit(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.site_ids.data = [site.id for site in user.sites]
        form.regions.data = list(
            db.session.scalars(
                sa.select(TrainerRegion.region)
                .where(TrainerRegion.user_id == user.id)
                .order_by(TrainerRegion.region)
            )
        )
    saved = None
    if request.method == "GET" or _own_access_kept(user, form):
        saved = save(form, lambda: _update(user, form))
    if saved is not None:
        if saved.id == current_user.id and form.password.data:
            finish_sign_in(saved)  # one's own new password ended every session: start anew
        flash(f"User {saved.email} saved.")
        return redirect(url_for(".users"))
    invitation = db.session.scalar(
        sa.select(AccountLink)
        .where(AccountLink.user_id == user.id, AccountLink.purpose == INVITATION)
        .order_by(AccountLink.created_at.desc(), AccountLink.id.desc())
        .limit(1)
    )
    return page(
        "admin/user_form.html",
        form,
        user=user,
        invitation=invitation,
        invitation_email=invitation_emails([user.email]).get(user.email),
        locked_until=locked_until(user),
        second_factor=second_factor.status(user),
    )


def _update(user: User, form: EditUserForm) -> User:
    saved = update_user(
        user,
        name=form.name.data,
        role=form.role.data,
        active=form.active.data,
        site_ids=form.site_ids.data or [],
        funder_id=form.funder_id.data,
        password=form.password.data or None,
        version=form.version.data,
        organisation_id=form.organisation_id.data,
        regions=form.regions.data or [],
    )
    if form.password.data:
        record("password_changed", saved, detail=f"set {by_whom(current_account())}")
    return saved


@bp.route(f"/users/{path_id('user_id')}/unlock", methods=["POST"])
@allow("admin")
def user_unlock(user_id: int) -> Any:
    """End the lock that failed logins put on the account, now."""
    user = db.get_or_404(User, user_id)
    if unlock(user, by_whom(current_account())):
        db.session.commit()
        flash(f"{user.name}'s account is unlocked: they can log in now.")
    else:
        db.session.rollback()
        flash(f"{user.name}'s account was not locked.")
    return redirect(url_for(".user_edit", user_id=user.id))


@bp.route(f"/users/{path_id('user_id')}/second-factor/reset", methods=["POST"])
@allow("admin")
def user_second_factor_reset(user_id: int) -> Any:
    """A lost phone: the user's second factor and recovery codes go, and their sessions end.
    Not one's own (the account page turns it off, where the role allows)."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash("You cannot reset your own second factor: ask another member of programme staff.")
        return redirect(url_for(".user_edit", user_id=user.id))
    if second_factor.reset(user, current_account()):
        db.session.commit()
        flash(
            f"{user.name}'s second factor is reset and their sessions have ended. "
            + (
                "They will set up a new one when they next log in."
                if second_factor.required_for(user)
                else "They can set up a new one from their account page."
            )
        )
    else:
        db.session.rollback()
        flash(f"{user.name} has no second factor to reset.")
    return redirect(url_for(".user_edit", user_id=user.id))
