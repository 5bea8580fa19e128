"""The account e-mails: an invitation, a password reset and a lockout notice, each as plain text
and HTML from templates/accounts/email/, queued to go once the request's transaction commits
(core.mail)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template, url_for

from accounts.models import User
from core.mail import EmailDelivery, Message, send_after_commit


def external_url(endpoint: str, **values: str) -> str:
    """An absolute address for an e-mail: under BASE_URL when set (production), else this
    request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _message(user: User, purpose: str, subject: str, template: str, **context: object) -> Message:
    context = {"user": user, "service": "IPS Network Tracker", **context}
    return Message(
        to=user.email,
        subject=subject,
        text=render_template(f"accounts/email/{template}.txt", **context),
        html=render_template(f"accounts/email/{template}.html", **context),
        purpose=purpose,
    )


def send_invitation(user: User, secret: str, invited_by: User | None, days: int) -> EmailDelivery:
    link = external_url("accounts.accept_invitation", token=secret)
    message = _message(
        user,
        "invitation",
        "You are invited to the IPS Network Tracker",
        "invitation",
        link=link,
        invited_by=invited_by,
        days=days,
    )
    return send_after_commit(
        message,
        report_failure=f"The invitation e-mail to {user.email} could not be sent. "
        "Check the e-mail settings, then send the invitation again from the user's page.",
    )


def send_password_reset(user: User, secret: str, minutes: int) -> EmailDelivery:
    link = external_url("accounts.reset_password", token=secret)
    message = _message(
        user,
        "password_reset",
        "Reset your IPS Network Tracker password",
        "password_reset",
        link=link,
        minutes=minutes,
    )
    return send_after_commit(message)  # no report: the page must not say the address exists


def send_account_locked(
    user: User, secret: str, until: datetime, reset_minutes: int
) -> EmailDelivery:
    """The person's account is locked after too many failed logins: when it unlocks, and a
    password-reset link (setting a new password also unlocks it)."""
    link = external_url("accounts.reset_password", token=secret)
    message = _message(
        user,
        "account_locked",
        "Your IPS Network Tracker account is locked",
        "account_locked",
        link=link,
        until=until,
        minutes=reset_minutes,
        failures=current_app.config["LOCKOUT_FAILURES"],
        window=current_app.config["LOCKOUT_WINDOW_MINUTES"],
    )
    return send_after_commit(message)  # no report: the login page must not say it is locked
