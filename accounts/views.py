"""Logging in and out: the password, then the second factor or its set-up (accounts.login).

Importing the other page modules here attaches their routes to the `accounts` blueprint, which
the app registers from this module (see accounts.blueprint)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from accounts import account_page, email_links, second_factor, signed_in
from accounts.blueprint import (
    bp,
    codes_page,
    confirmed_set_up,
    form_page,
    login_limit,
    no_store,
    set_up_form,
    set_up_page,
)
from accounts.current import current_account
from accounts.forms import CodeForm, LoginForm
from accounts.lockout import is_locked, lock_if_due
from accounts.login import (
    CODE,
    FAILED,
    SET_UP,
    authenticate,
    begin_sign_in,
    complete_pending,
    forget_pending,
    pending,
)
from accounts.models import EVERY_ROLE, User
from accounts.security_log import record
from accounts.sessions import SESSION_KEY, end_session
from core.extensions import db, limiter
from core.web.access import allow, public
from core.web.redirects import local_address

__all__ = ["account_page", "bp", "email_links", "signed_in"]

LOCKED = (
    "Too many wrong codes: your account is locked for {minutes} minutes, or until programme "
    "staff unlock it. We have emailed you a link to choose a new password, which unlocks it."
)
CODE_HINT = "The 6-digit code your authenticator app shows now, or one of your recovery codes"


def _safe_next(target: str | None) -> str:
    return local_address(target, url_for("dashboard.index"))


def _go_on(step_url: str | None, next_url: str | None) -> Any:
    """Where a way in leads: the second-factor step, or where the person was going."""
    return redirect(step_url or _safe_next(next_url))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = request.args.get("next")
            return _go_on(begin_sign_in(user, "password", next_url), next_url)
        db.session.commit()  # the failure in the security log, and a lock when it is due
        error = FAILED
    return render_template(
        "accounts/login.html",
        form=form,
        error=error,
        lockout_failures=current_app.config["LOCKOUT_FAILURES"],
        lockout_window=current_app.config["LOCKOUT_WINDOW_MINUTES"],
    )


def _code_refused(user: User) -> Any | None:
    """A wrong code: into the security log and towards the lockout. When it locks the account
    (or it was locked meanwhile), the login in progress ends: the person is sent to log in and
    told, having shown they know the password."""
    record("second_factor_failed", user)
    locked = lock_if_due(user) or is_locked(user)
    db.session.commit()
    if not locked:
        return None
    forget_pending()
    flash(LOCKED.format(minutes=current_app.config["LOCKOUT_MINUTES"]))
    return redirect(url_for("accounts.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login_code() -> Any:
    """The second step of logging in, for someone with a second factor: a code from their app,
    or a recovery code."""
    half = pending(CODE)
    if half is None:
        flash("Log in again: the time to enter your security code ran out.")
        return redirect(url_for("accounts.login"))
    user, state = half
    form = CodeForm()
    form.code.description = CODE_HINT
    if form.validate_on_submit():
        used = second_factor.use_code(user, form.code.data) if not is_locked(user) else None
        if used is not None:
            how = "recovery code" if used == second_factor.RECOVERY else "authenticator code"
            next_url = complete_pending(user, state, how)
            if used == second_factor.RECOVERY:
                left = second_factor.unused_recovery_codes(user)
                flash(
                    f"You used a recovery code: {left} left. Make new ones on your account page "
                    "if you are running out."
                )
            return redirect(_safe_next(next_url))
        refused = _code_refused(user)
        if refused is not None:
            return refused
        form.code.errors = [
            "The code is not right, or it has been used already: enter the code your app "
            "shows now, or a recovery code"
        ]
    page = form_page("accounts/login_code.html", form, user=user)
    return no_store(page)


@bp.route("/login/set-up-second-factor", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login_set_up() -> Any:
    """The second step of logging in for someone whose role needs a second factor and who has
    none yet: they set it up before anything else, and are then signed in."""
    half = pending(SET_UP)
    if half is None:
        flash("Log in again: the time to set up your second factor ran out.")
        return redirect(url_for("accounts.login"))
    user, state = half
    form = set_up_form()
    codes = confirmed_set_up(user, form)
    if codes is not None:
        next_url = complete_pending(user, state, "second factor set up")
        return codes_page(codes, _safe_next(next_url), first=True)
    return set_up_page(user, form, "accounts/second_factor_set_up.html", during_login=True)


@bp.route("/logout", methods=["POST"])
@allow(*EVERY_ROLE)
def logout() -> Any:
    key = session.get(SESSION_KEY)
    record("logout", current_account())
    if isinstance(key, str):
        end_session(key)
    db.session.commit()
    logout_user()
    session.pop(SESSION_KEY, None)
    flash("You have logged out.")
    return redirect(url_for("accounts.login"))
