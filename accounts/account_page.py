"""The account page: one's API tokens, signed-in sessions and e-mail reminders; changing one's
password; setting up, renewing and turning off the second factor."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, session, url_for
from flask_login import current_user

from accounts import second_factor
from accounts.blueprint import (
    bp,
    codes_page,
    confirmed_set_up,
    form_page,
    login_limit,
    no_store,
    set_up_form,
    set_up_page,
    show_errors,
)
from accounts.current import current_account
from accounts.forms import ChangePasswordForm, PasswordCheckForm, RemindersForm, TokenForm
from accounts.models import EVERY_ROLE, ApiToken, User
from accounts.security_log import record
from accounts.services import (
    REMINDED_ROLES,
    change_password,
    create_token,
    revoke_token,
    set_reminders,
)
from accounts.sessions import SESSION_KEY, active_sessions, end_all_sessions, finish_sign_in
from core.errors import ValidationFailed
from core.extensions import db, limiter
from core.schemas import path_id
from core.web.access import allow


@bp.route("/account", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
def account() -> Any:
    user = current_account()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _, new_token = create_token(user, form.name.data)
        db.session.commit()
        form = TokenForm(formdata=None)
    return no_store(_account_page(user, form, new_token=new_token))


def _account_page(
    user: User,
    form: TokenForm,
    *,
    new_token: str | None = None,
    reminders_form: RemindersForm | None = None,
) -> str:
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ).all()
    this_session = g.get("user_session")
    if reminders_form is None:
        reminders_form = RemindersForm(formdata=None, reminders="on" if user.reminders else "off")
    return render_template(
        "accounts/account.html",
        form=form,
        tokens=tokens,
        new_token=new_token,
        sessions=active_sessions(user),
        this_session_id=this_session.id if this_session is not None else None,
        second_factor=second_factor.status(user),
        reminders_form=reminders_form,
        gets_reminders=user.role in REMINDED_ROLES,
    )


@bp.route("/account/reminders", methods=["POST"])
@allow(*REMINDED_ROLES)
def reminders() -> Any:
    """Turn one's own e-mail reminders on or off (audited)."""
    user = current_account()
    form = RemindersForm()
    if not form.validate():
        page = _account_page(user, TokenForm(formdata=None), reminders_form=form)
        return no_store(page), 422
    on = form.reminders.data == "on"
    set_reminders(user, on)
    db.session.commit()
    flash(
        "E-mail reminders are on."
        if on
        else "E-mail reminders are off: you will get no reminder e-mails until you turn them on."
    )
    return redirect(url_for("accounts.account"))


@bp.route(f"/account/tokens/{path_id('token_id')}/revoke", methods=["POST"])
@allow(*EVERY_ROLE)
def revoke(token_id: int) -> Any:
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        return render_template(
            "errors/error.html", status=404, title="Page not found", message="No such token."
        ), 404
    revoke_token(token)
    db.session.commit()
    flash(f"Token '{token.name}' revoked.")
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions/sign-out-others", methods=["POST"])
@allow(*EVERY_ROLE)
def sign_out_other_sessions() -> Any:
    key = session.get(SESSION_KEY)
    ended = end_all_sessions(current_account(), keep=key if isinstance(key, str) else None)
    db.session.commit()
    flash(
        "You have signed out of every other session."
        if ended
        else "You were not signed in anywhere else."
    )
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
@limiter.limit(login_limit, methods=["POST"])
def password() -> Any:
    user = current_account()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(user, form.current_password.data, form.password.data)
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error.fields)
        else:
            record("password_changed", user, detail="by the user, on their account page")
            finish_sign_in(user)
            flash("Your password has been changed. Any other sessions of yours have ended.")
            return redirect(url_for("accounts.account"))
    return form_page("accounts/password.html", form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
@limiter.limit(login_limit, methods=["POST"])
def second_factor_set_up() -> Any:
    user = current_account()
    if second_factor.confirmed_factor(user) is not None:
        flash("Your second factor is on already.")
        return redirect(url_for("accounts.account"))
    form = set_up_form()
    codes = confirmed_set_up(user, form)
    if codes is not None:
        db.session.commit()
        return codes_page(codes, url_for("accounts.account"), first=True)
    return set_up_page(user, form, "accounts/second_factor_set_up.html", during_login=False)


def _password_checked(form: PasswordCheckForm, user: User) -> bool:
    """The form is posted with the person's password (a second factor change asks for it)."""
    if not form.validate_on_submit():
        return False
    if user.check_password(form.password.data):
        return True
    form.password.errors = ["Your password is not correct"]
    return False


@bp.route("/account/second-factor/recovery-codes", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
@limiter.limit(login_limit, methods=["POST"])
def recovery_codes() -> Any:
    user = current_account()
    if second_factor.confirmed_factor(user) is None:
        return redirect(url_for("accounts.account"))
    form = PasswordCheckForm()
    if _password_checked(form, user):
        codes = second_factor.renew_recovery_codes(user)
        db.session.commit()
        return codes_page(codes, url_for("accounts.account"), first=False)
    return no_store(form_page("accounts/second_factor_password.html", form, turning_off=False))


@bp.route("/account/second-factor/turn-off", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
@limiter.limit(login_limit, methods=["POST"])
def second_factor_turn_off() -> Any:
    user = current_account()
    if second_factor.confirmed_factor(user) is None or second_factor.required_for(user):
        flash(
            "Your role needs a second factor: it cannot be turned off."
            if second_factor.required_for(user)
            else "Your second factor is not on."
        )
        return redirect(url_for("accounts.account"))
    form = PasswordCheckForm()
    if _password_checked(form, user):
        second_factor.turn_off(user)
        db.session.commit()
        flash("Your second factor is off. You can set it up again at any time.")
        return redirect(url_for("accounts.account"))
    return no_store(form_page("accounts/second_factor_password.html", form, turning_off=True))
