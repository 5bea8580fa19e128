"""Logging in, step by step: the password (or an e-mailed link), then the second factor when the
person has one (or its set-up when their role requires one and they have none yet), then
accounts.sessions.finish_sign_in, the last step of every way in.

The password check does the same work for every address: one password hash is checked whether
or not the address has an account (a dummy hash for none, or for someone invited who has no
password yet), so the time of the answer does not tell which addresses exist. Each attempt goes
to the security log, and failures count towards the account's lockout (accounts.lockout).

Between the password and the second factor the person is half signed in: the signed session
cookie holds who they are, which step is next, where they were going and until when (PENDING
_MINUTES), and a fingerprint of their password hash, so a new password ends it. Being half
signed in grants nothing: Flask-Login knows nobody until finish_sign_in.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import flash, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.lockout import is_locked, lock_if_due
from accounts.models import User, hash_token
from accounts.second_factor import confirmed_factor, required_for
from accounts.security_log import record
from accounts.services import normalise_email
from accounts.sessions import finish_sign_in
from core.extensions import db
from core.records import utcnow

FAILED = "Enter a correct email address and password"
PENDING = "_pending_sign_in"
PENDING_MINUTES = 10
CODE = "code"  # the next step: a code from the app, or a recovery code
SET_UP = "set_up"  # the next step: setting up the second factor the role requires


@cache
def _dummy_hash() -> str:
    """A hash made as real ones are (Werkzeug's default method), of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(24))


def password_matches(user: User | None, password: str) -> bool:
    """Exactly one password hash checked, whoever `user` is (None: no such address)."""
    if user is None or not user.has_password:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


def find_user(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == normalise_email(email))
    )


def authenticate(email: str, password: str) -> User | None:
    """The user whose address and password these are, if they may log in now; else None, with
    the failure in the security log (and the account locked when it is the last straw). The
    caller commits either way, and answers every None alike."""
    user = find_user(email)
    right = password_matches(user, password)
    if user is None:
        record("login_failed", email=email, detail="no account with this address")
        return None
    if not user.active:
        record("login_failed", user, email=email, detail="account deactivated")
        return None
    if is_locked(user):
        detail = "right password" if right else "wrong password"
        record("login_refused_locked", user, email=email, detail=detail)
        return None
    if not right:
        detail = "wrong password" if user.has_password else "no password set yet (invited)"
        record("login_failed", user, email=email, detail=detail)
        lock_if_due(user)
        return None
    return user


def _fingerprint(user: User) -> str:
    return hash_token(f"{user.id}:{user.password_hash}")[:16]


def complete_sign_in(user: User, how: str, message: str | None = None) -> None:
    """The last step: the login goes to the security log, a lock that has run out is cleared,
    and the server-side session starts (accounts.sessions.finish_sign_in commits)."""
    record("login", user, detail=how)
    if user.locked_until is not None and not is_locked(user):
        user.locked_until = None
    finish_sign_in(user)
    if message:
        flash(message)


def begin_sign_in(
    user: User, how: str, next_url: str | None = None, message: str | None = None
) -> str | None:
    """After the password (or a link): signed in now, or half signed in with the second factor
    to come. Returns where to go next: None for `next_url`'s place (the caller's choice), or the
    address of the second-factor step."""
    step = CODE if confirmed_factor(user) is not None else SET_UP if required_for(user) else None
    if step is None:
        complete_sign_in(user, how, message)
        return None
    session[PENDING] = {
        "user": user.id,
        "step": step,
        "how": how,
        "next": next_url,
        "message": message,
        "until": (utcnow() + timedelta(minutes=PENDING_MINUTES)).timestamp(),
        "check": _fingerprint(user),
    }
    db.session.commit()
    return url_for("accounts.login_code" if step == CODE else "accounts.login_set_up")


def pending(step: str) -> tuple[User, dict[str, Any]] | None:
    """The half-signed-in person of this browser whose next step is `step`, with the state; None
    when there is none, it has run out, or the person's password or state changed since."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or state.get("step") != step:
        return None
    user = db.session.get(User, state.get("user")) if isinstance(state.get("user"), int) else None
    fresh = isinstance(state.get("until"), int | float) and state["until"] > utcnow().timestamp()
    if user is None or not fresh or not user.active or state.get("check") != _fingerprint(user):
        session.pop(PENDING, None)
        return None
    return user, state


def forget_pending() -> None:
    session.pop(PENDING, None)


def complete_pending(user: User, state: dict[str, Any], how: str) -> str | None:
    """The second factor is done: signed in. Returns the `next` the login was given."""
    next_url = state.get("next")
    complete_sign_in(user, f"{state.get('how', 'password')} and {how}", state.get("message"))
    return next_url if isinstance(next_url, str) else None
