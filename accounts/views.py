"""Logging in and out, the user loaders (session for pages, bearer tokens for the API), and the
account page where users make and revoke their API tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from accounts.models import EVERY_ROLE, ApiToken, User
from accounts.services import create_token, normalise_email, revoke_token, user_for_token
from core.errors import is_api_request
from core.extensions import db, limiter, login_manager
from core.web.access import allow, public

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if is_api_request():
        return None  # the API takes bearer tokens only, never the session cookie
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_token(req: Any) -> User | None:
    if not is_api_request():
        return None
    scheme, _, secret = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return user_for_token(secret.strip())


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        description="Say what will use it, for example 'monthly returns script'.",
        validators=[DataRequired("Give the token a name"), Length(max=80)],
    )


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = db.session.scalar(
            sa.select(User).where(sa.func.lower(User.email) == normalise_email(form.email.data))
        )
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        error = "Enter a correct email address and password"
    return render_template("accounts/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
@allow(*EVERY_ROLE)
def logout() -> Any:
    logout_user()
    flash("You have logged out.")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@allow(*EVERY_ROLE)
def account() -> Any:
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _, new_token = create_token(current_user, form.name.data)
        db.session.commit()
        form = TokenForm(formdata=None)
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("accounts/account.html", form=form, tokens=tokens, new_token=new_token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
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
