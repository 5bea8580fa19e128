"""The `accounts` blueprint and what its pages share. The pages live in views (logging in and
out), account_page (the account page: tokens, sessions, reminders, one's password, the second
factor) and email_links (the pages an e-mailed link opens); signed_in says who each request is.
accounts.views imports them all, which attaches their routes to `bp`.

Pages that show a secret (a second factor's set-up, recovery codes) or come between the password
and the second factor are sent with Cache-Control: no-store."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, make_response, render_template
from flask.blueprints import BlueprintSetupState
from flask_wtf import FlaskForm

from accounts import second_factor
from accounts.forms import CodeForm
from accounts.models import ROLES, User
from accounts.security_log import record_refusal
from core.errors import Fields, ValidationFailed
from core.extensions import db

bp = Blueprint("accounts", __name__)

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


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def link_limit() -> str:
    return current_app.config["ACCOUNT_LINK_RATE_LIMIT"]


def show_errors(form: FlaskForm, fields: Fields) -> None:
    for key, messages in fields.items():
        field = form._fields.get(key)
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


def form_page(template: str, form: FlaskForm, **context: Any) -> tuple[str, int]:
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status


def set_up_page(user: User, form: CodeForm, template: str, **context: Any) -> Any:
    factor = second_factor.factor_to_set_up(user)
    db.session.commit()
    uri = second_factor.provisioning_uri(factor, user)
    page = form_page(
        template,
        form,
        user=user,
        qr_code=second_factor.qr_code_svg(uri, "QR code for your authenticator app"),
        secret=second_factor.grouped(factor.secret),
        **context,
    )
    return no_store(page)


def codes_page(codes: list[str], next_url: str, first: bool) -> Any:
    return no_store(
        render_template(
            "accounts/recovery_codes.html", codes=codes, next_url=next_url, first_time=first
        )
    )


def set_up_form() -> CodeForm:
    form = CodeForm()
    form.code.description = SET_UP_HINT
    return form


def confirmed_set_up(user: User, form: CodeForm) -> list[str] | None:
    """The recovery codes once the form's code confirms the second factor being set up; None
    (the form showing why) while it does not."""
    if not form.validate_on_submit():
        return None
    try:
        return second_factor.confirm_set_up(user, form.code.data)
    except ValidationFailed as error:
        db.session.rollback()
        show_errors(form, error.fields)
        return None
