"""The pages an e-mailed link opens, and the page that sends one: accepting an invitation,
asking for a password reset and resetting the password. Each link works once (accounts.links)."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, url_for
from sqlalchemy.orm.exc import StaleDataError

from accounts.blueprint import bp, form_page, link_limit, show_errors
from accounts.forms import ForgottenPasswordForm, NewPasswordForm
from accounts.links import INVITATION, PASSWORD_RESET, find_link, request_password_reset, use_link
from accounts.lockout import unlock
from accounts.login import begin_sign_in, find_user
from accounts.security_log import record
from core.errors import ValidationFailed
from core.extensions import db, limiter
from core.web.access import public


@bp.route("/password/forgotten", methods=["GET", "POST"])
@public
@limiter.limit(link_limit, methods=["POST"])
def forgotten_password() -> Any:
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        request_password_reset(form.email.data)
        record("password_reset_requested", user, email=form.email.data)
        db.session.commit()
        return render_template(
            "accounts/reset_sent.html",
            email=form.email.data,
            minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        )
    return form_page("accounts/forgotten_password.html", form)


LINK_EVENTS = {INVITATION: "invitation_accepted", PASSWORD_RESET: "password_reset"}
LINK_LOGINS = {INVITATION: "invitation link", PASSWORD_RESET: "password reset link"}


def _link_page(token: str, purpose: str, template: str, done: str) -> Any:
    link = find_link(token, purpose)
    if link is None:
        return render_template("accounts/link_not_valid.html", purpose=purpose), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = use_link(link, form.password.data)
            db.session.flush()
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error.fields)
        except StaleDataError:  # the same link used at the same moment elsewhere
            db.session.rollback()
            return render_template("accounts/link_not_valid.html", purpose=purpose), 404
        else:
            record(LINK_EVENTS[purpose], user)
            unlock(user, "by setting a password from an emailed link")
            step = begin_sign_in(user, LINK_LOGINS[purpose], message=done)
            return redirect(step or url_for("dashboard.index"))
    return form_page(template, form, link=link, user=link.user)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(link_limit, methods=["POST"])
def accept_invitation(token: str) -> Any:
    return _link_page(
        token,
        INVITATION,
        "accounts/accept_invitation.html",
        "Your password is set and you are logged in. Welcome to the IPS Network Tracker.",
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(link_limit, methods=["POST"])
def reset_password(token: str) -> Any:
    return _link_page(
        token,
        PASSWORD_RESET,
        "accounts/reset_password.html",
        "Your password has been changed and you are logged in. Any other sessions have ended.",
    )
