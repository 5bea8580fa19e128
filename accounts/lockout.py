"""A per-account lockout: LOCKOUT_FAILURES failed logins (wrong passwords and wrong security
codes) within LOCKOUT_WINDOW_MINUTES lock the account for LOCKOUT_MINUTES. The failures are
counted from the security log, since the account's last login, unlock or lockout; so a lock that
has run out starts the count afresh. The person is told by e-mail, with a password-reset link:
setting a password from an e-mailed link unlocks the account too. Programme staff can unlock it
from the user's page.

While an account is locked the login page answers as it does to any wrong password, even to the
right one, so that the lock tells someone guessing nothing (not even that the address has an
account); the e-mail tells the person. `utcnow` here is the clock of the lock, which tests set.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from accounts.emails import send_account_locked
from accounts.links import PASSWORD_RESET, issue_link
from accounts.models import SecurityEvent, User
from accounts.security_log import record
from core.extensions import db
from core.records import utcnow

FAILURES = ("login_failed", "second_factor_failed")
FRESH_STARTS = ("login", "unlocked", "locked")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def locked_until(user: User) -> datetime | None:
    """When the account's lock ends, or None when it is not locked."""
    if user.locked_until is None:
        return None
    until = _aware(user.locked_until)
    return until if until > utcnow() else None


def is_locked(user: User) -> bool:
    return locked_until(user) is not None


def recent_failures(user: User) -> int:
    """Failed logins and codes within the window since the account's last fresh start."""
    window_start = utcnow() - timedelta(minutes=current_app.config["LOCKOUT_WINDOW_MINUTES"])
    fresh_start = (
        sa.select(sa.func.max(SecurityEvent.created_at))
        .where(SecurityEvent.user_id == user.id, SecurityEvent.kind.in_(FRESH_STARTS))
        .scalar_subquery()
    )
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SecurityEvent)
            .where(
                SecurityEvent.user_id == user.id,
                SecurityEvent.kind.in_(FAILURES),
                SecurityEvent.created_at > window_start,
                SecurityEvent.created_at > sa.func.coalesce(fresh_start, window_start),
            )
        )
        or 0
    )


def lock_if_due(user: User) -> bool:
    """After a failure has been recorded: lock the account when the failures reach the limit,
    and e-mail the person (once the caller commits). True when this failure locked it."""
    config = current_app.config
    if is_locked(user) or recent_failures(user) < config["LOCKOUT_FAILURES"]:
        return False
    minutes = config["LOCKOUT_MINUTES"]
    user.locked_until = utcnow() + timedelta(minutes=minutes)
    record(
        "locked",
        user,
        detail=f"{config['LOCKOUT_FAILURES']} failures in {config['LOCKOUT_WINDOW_MINUTES']} "
        f"minutes; locked for {minutes} minutes",
    )
    db.session.flush()
    _, secret = issue_link(user, PASSWORD_RESET)
    send_account_locked(user, secret, user.locked_until, config["PASSWORD_RESET_MINUTES"])
    return True


def unlock(user: User, detail: str) -> bool:
    """End the account's lock now (an admin's button, or a password set from an e-mailed link).
    False when it was not locked."""
    if user.locked_until is None:
        return False
    was_locked = is_locked(user)
    user.locked_until = None
    if was_locked:
        record("unlocked", user, detail=detail)
    db.session.flush()
    return was_locked
