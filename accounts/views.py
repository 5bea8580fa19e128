"""Logging in and out (the password, then the second factor or its set-up: accounts.login), the
user loaders (a live server-side session for pages, bearer tokens for the API), the account page
(API tokens, signed-in sessions, changing one's password, the second factor), and the pages an
e-mailed link opens: accepting an invitation and resetting a forgotten password.

Pages that show a secret (a second factor's set-up, recovery codes) or come between the
password and the second factor are sent with Cache-Control: no-store."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from accounts import second_factor
from accounts.current import current_account
from accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ForgottenPasswordForm,
    LoginForm,
    NewPasswordForm,
    PasswordCheckForm,
    RemindersForm,
    TokenForm,
)
from accounts.links import INVITATION, PASSWORD_RESET, find_link, request_password_reset, use_link
from accounts.lockout import is_locked, lock_if_due, unlock
from accounts.login import (
    CODE,
    FAILED,
    SET_UP,
    authenticate,
    begin_sign_in,
    complete_pending,
    find_user,
    forget_pending,
    pending,
)
from accounts.models import EVERY_ROLE, ROLES, ApiToken, User
from accounts.security_log import note_token_use, record, record_refusal
from accounts.services import (
    REMINDED_ROLES,
    change_password,
    create_token,
    revoke_token,
    set_reminders,
    token_for_secret,
)
from accounts.sessions import (
    SESSION_KEY,
    active_sessions,
    end_all_sessions,
    end_session,
    finish_sign_in,
    live_session,
    touch,
    touch_due,
)
from core.errors import Fields, ValidationFailed, is_api_request
from core.extensions import db, limiter, login_manager
from core.schemas import path_id
from core.web.access import allow, public
from core.web.redirects import local_address

bp = Blueprint("accounts", __name__)
# The API's OpenAPI document (flask-smorest's endpoint): for a token, or a page's signed-in user.
API_DOCUMENT = "api-docs.openapi_json"

FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")
LOCKED = (
    "Too many wrong codes: your account is locked for {minutes} minutes, or until programme "
    "staff unlock it. We have emailed you a link to choose a new password, which unlocks it."
)
CODE_HINT = "The 6-digit code your authenticator app shows now, or one of your recovery codes"
SET_UP_HINT = "The 6-digit code your authenticator app shows for the IPS Network Tracker"


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    """SECOND_FACTOR_REQUIRED_ROLES names roles the app has (a typo would quietly require none),
    and every 403 answer of the app goes to the security log."""
    required = state.app.config["SECOND_FACTOR_REQUIRED_ROLES"]
    unknown = set(required) - set(ROLES)
    if unknown:
        raise RuntimeError(f"SECOND_FACTOR_REQUIRED_ROLES names unknown roles: {sorted(unknown)}")
    state.app.after_request(record_refusal)


def no_store(response: Any) -> Response:
    """The answer is not to be kept by the browser or anything between: it shows a secret, or
    belongs to a login in progress."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- who is signed in ----------------------------------------------------------------------------


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """A page's user: the one whose live session's key the cookie holds. A cookie without a live
    session (logged out, ended by a password change, deactivation or a new role, or idle too
    long) is nobody. Flask-Login's remember-me cookie is never set; one sent anyway names a
    user without a session key, so it is nobody too."""
    if is_api_request() and request.endpoint != API_DOCUMENT:
        return None  # the API takes bearer tokens only, never the session cookie
    key = session.get(SESSION_KEY)
    if not isinstance(key, str) or not user_id.isdigit():
        return None
    user_session = live_session(int(user_id), key)
    if user_session is None or not user_session.user.active:
        return None
    g.user_session = user_session
    return user_session.user


@login_manager.request_loader
def load_user_from_token(req: Any) -> User | None:
    """An API call's user: the one whose token it bears. The token's first use each day goes to
    the security log."""
    if not is_api_request():
        return None
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = token_for_secret(secret.strip())
    if token is None:
        return None
    note_token_use(token)
    return token.user


@bp.before_app_request
def keep_session_alive() -> None:
    """Load the page's user before the view runs, and write "last seen" when it is due (at most
    once in SESSION_TOUCH_SECONDS). A cookie whose session has ended is emptied."""
    if request.endpoint == "static" or is_api_request() or "_user_id" not in session:
        return
    if not current_user.is_authenticated:
        for name in (*FLASK_LOGIN_KEYS, SESSION_KEY):
            session.pop(name, None)
        return
    user_session = g.get("user_session")
    if user_session is not None and touch_due(user_session):
        touch(user_session.id)
        db.session.commit()


def _show_errors(form: FlaskForm, fields: Fields) -> None:
    for key, messages in fields.items():
        field = form._fields.get(key)
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def _form_page(template: str, form: FlaskForm, **context: Any) -> tuple[str, int]:
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status


# --- logging in and out --------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    return local_address(target, url_for("dashboard.index"))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _link_limit() -> str:
    return current_app.config["ACCOUNT_LINK_RATE_LIMIT"]


def _go_on(step_url: str | None, next_url: str | None) -> Any:
    """Where a way in leads: the second-factor step, or where the person was going."""
    return redirect(step_url or _safe_next(next_url))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
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
@limiter.limit(_login_limit, methods=["POST"])
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
    page = _form_page("accounts/login_code.html", form, user=user)
    return no_store(page)


def _set_up_page(user: User, form: CodeForm, template: str, **context: Any) -> Any:
    factor = second_factor.factor_to_set_up(user)
    db.session.commit()
    uri = second_factor.provisioning_uri(factor, user)
    page = _form_page(
        template,
        form,
        user=user,
        qr_code=second_factor.qr_code_svg(uri, "QR code for your authenticator app"),
        secret=second_factor.grouped(factor.secret),
        **context,
    )
    return no_store(page)


def _codes_page(codes: list[str], next_url: str, first: bool) -> Any:
    return no_store(
        render_template(
            "accounts/recovery_codes.html", codes=codes, next_url=next_url, first_time=first
        )
    )


@bp.route("/login/set-up-second-factor", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login_set_up() -> Any:
    """The second step of logging in for someone whose role needs a second factor and who has
    none yet: they set it up before anything else, and are then signed in."""
    half = pending(SET_UP)
    if half is None:
        flash("Log in again: the time to set up your second factor ran out.")
        return redirect(url_for("accounts.login"))
    user, state = half
    form = CodeForm()
    form.code.description = SET_UP_HINT
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_set_up(user, form.code.data)
        except ValidationFailed as error:
            db.session.rollback()
            _show_errors(form, error.fields)
        else:
            next_url = complete_pending(user, state, "second factor set up")
            return _codes_page(codes, _safe_next(next_url), first=True)
    return _set_up_page(user, form, "accounts/second_factor_set_up.html", during_login=True)


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


# --- the account page ----------------------------------------------------------------------------


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
@limiter.limit(_login_limit, methods=["POST"])
def password() -> Any:
    user = current_account()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(user, form.current_password.data, form.password.data)
        except ValidationFailed as error:
            db.session.rollback()
            _show_errors(form, error.fields)
        else:
            record("password_changed", user, detail="by the user, on their account page")
            finish_sign_in(user)
            flash("Your password has been changed. Any other sessions of yours have ended.")
            return redirect(url_for("accounts.account"))
    return _form_page("accounts/password.html", form)


# --- the second factor, from the account page ----------------------------------------------------


@bp.route("/account/second-factor", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
@limiter.limit(_login_limit, methods=["POST"])
def second_factor_set_up() -> Any:
    user = current_account()
    if second_factor.confirmed_factor(user) is not None:
        flash("Your second factor is on already.")
        return redirect(url_for("accounts.account"))
    form = CodeForm()
    form.code.description = SET_UP_HINT
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_set_up(user, form.code.data)
        except ValidationFailed as error:
            db.session.rollback()
            _show_errors(form, error.fields)
        else:
            db.session.commit()
            return _codes_page(codes, url_for("accounts.account"), first=True)
    return _set_up_page(user, form, "accounts/second_factor_set_up.html", during_login=False)


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
@limiter.limit(_login_limit, methods=["POST"])
def recovery_codes() -> Any:
    user = current_account()
    if second_factor.confirmed_factor(user) is None:
        return redirect(url_for("accounts.account"))
    form = PasswordCheckForm()
    if _password_checked(form, user):
        codes = second_factor.renew_recovery_codes(user)
        db.session.commit()
        return _codes_page(codes, url_for("accounts.account"), first=False)
    return no_store(_form_page("accounts/second_factor_password.html", form, turning_off=False))


@bp.route("/account/second-factor/turn-off", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
@limiter.limit(_login_limit, methods=["POST"])
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
    return no_store(_form_page("accounts/second_factor_password.html", form, turning_off=True))


# --- links sent by e-mail ------------------------------------------------------------------------


@bp.route("/password/forgotten", methods=["GET", "POST"])
@public
@limiter.limit(_link_limit, methods=["POST"])
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
    return _form_page("accounts/forgotten_password.html", form)


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
            _show_errors(form, error.fields)
        except StaleDataError:  # the same link used at the same moment elsewhere
            db.session.rollback()
            return render_template("accounts/link_not_valid.html", purpose=purpose), 404
        else:
            record(LINK_EVENTS[purpose], user)
            unlock(user, "by setting a password from an emailed link")
            step = begin_sign_in(user, LINK_LOGINS[purpose], message=done)
            return redirect(step or url_for("dashboard.index"))
    return _form_page(template, form, link=link, user=link.user)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_link_limit, methods=["POST"])
def accept_invitation(token: str) -> Any:
    return _link_page(
        token,
        INVITATION,
        "accounts/accept_invitation.html",
        "Your password is set and you are logged in. Welcome to the IPS Network Tracker.",
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_link_limit, methods=["POST"])
def reset_password(token: str) -> Any:
    return _link_page(
        token,
        PASSWORD_RESET,
        "accounts/reset_password.html",
        "Your password has been changed and you are logged in. Any other sessions have ended.",
    )
