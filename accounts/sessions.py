"""Signed-in sessions kept on the server, so that logging out, a new password, deactivation or a
new role can end them: the signed session cookie holds a random key whose hash names a
UserSession row, and a page's request is signed in only while that row is live (not ended, and
seen within SESSION_IDLE_MINUTES). Its "last seen" time is written at most once in
SESSION_TOUCH_SECONDS, with a bare UPDATE that the audit log does not record."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request, session
from flask_login import login_user
from sqlalchemy.orm import joinedload

from accounts.models import User, UserSession, hash_token
from core.extensions import db
from core.records import utcnow

SESSION_KEY = "_session_key"  # in the signed session cookie: the key of the live UserSession

BROWSERS = (  # the first that matches names the browser: Edge and Opera also say "Chrome"
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(HeadlessChrome|Chrome|Chromium|CriOS)/")),
    ("Safari", re.compile(r"\bSafari/")),
    ("Internet Explorer", re.compile(r"\b(MSIE |Trident/)")),
)
SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)


def browser_summary(user_agent: str | None) -> str:
    """A person's words for a User-Agent header: "Chrome on Linux", "Safari on iPhone"."""
    text = user_agent or ""
    browser = next((name for name, pattern in BROWSERS if pattern.search(text)), None)
    system = next((name for name, pattern in SYSTEMS if pattern.search(text)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or (f"A browser on {system}" if system else "An unknown browser")


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _live() -> sa.ColumnElement[bool]:
    return sa.and_(
        UserSession.ended_at.is_(None), UserSession.last_seen_at > utcnow() - idle_limit()
    )


def start_session(user: User, user_agent: str | None) -> str:
    """A new live session for `user`; returns its key, which only the session cookie holds."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=hash_token(key),
            last_seen_at=now,
            user_agent=browser_summary(user_agent)[:80],
        )
    )
    db.session.flush()
    return key


def live_session(user_id: int, key: str) -> UserSession | None:
    """The live session of `user_id` whose key this is, or None; its user is read in the same
    query, so that knowing who asks costs one query per request."""
    return db.session.scalar(
        sa.select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.key_hash == hash_token(key), UserSession.user_id == user_id, _live())
    )


def touch_due(user_session: UserSession, now: datetime | None = None) -> bool:
    """Whether "last seen" is old enough to be written again."""
    seen = user_session.last_seen_at
    if seen.tzinfo is None:  # SQLite gives back naive UTC times
        seen = seen.replace(tzinfo=(now or utcnow()).tzinfo)
    age = (now or utcnow()) - seen
    return age >= timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"])


def touch(session_id: int) -> None:
    """Write "last seen" now: a bare UPDATE, not a change the audit log records."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(last_seen_at=utcnow())
    )


def end_session(key: str) -> None:
    user_session = db.session.scalar(
        sa.select(UserSession).where(
            UserSession.key_hash == hash_token(key), UserSession.ended_at.is_(None)
        )
    )
    if user_session is not None:
        user_session.ended_at = utcnow()
        db.session.flush()


def end_all_sessions(user: User, keep: str | None = None) -> int:
    """End every session of `user` but the one whose key is `keep`; returns how many ended."""
    statement = sa.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(UserSession.key_hash != hash_token(keep))
    ended = db.session.scalars(statement).all()
    now = utcnow()
    for user_session in ended:
        user_session.ended_at = now
    db.session.flush()
    return len(ended)


def active_sessions(user: User) -> Sequence[UserSession]:
    """The user's live sessions, the most recently seen first."""
    return db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, _live())
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()


def finish_sign_in(user: User) -> None:
    """The last step of every way in (the password, an invitation, a reset; a second factor
    would come before it): a new server-side session, its key in a fresh session cookie. The
    session this browser had before, if any, ends."""
    old_key = session.get(SESSION_KEY)
    if isinstance(old_key, str):
        end_session(old_key)
    key = start_session(user, request.headers.get("User-Agent"))
    db.session.commit()
    session.clear()
    login_user(user)
    session[SESSION_KEY] = key
