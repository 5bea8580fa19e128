"""Who each request is: a page's user by their live server-side session, an API call's by the
bearer token it carries; and each page's visit keeps its session alive."""

from __future__ import annotations

from typing import Any

from flask import g, request, session
from flask_login import current_user

from accounts.blueprint import bp
from accounts.models import User
from accounts.security_log import note_token_use
from accounts.services import token_for_secret
from accounts.sessions import SESSION_KEY, live_session, touch, touch_due
from core.errors import is_api_request
from core.extensions import db, login_manager

# The API's OpenAPI document (flask-smorest's endpoint): for a token, or a page's signed-in user.
API_DOCUMENT = "api-docs.openapi_json"

FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")


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
