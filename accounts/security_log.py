"""The security log: one SecurityEvent per login, failure, lockout, unlock, logout, password or
second-factor change, invitation accepted, API token made, revoked or used (its first use each
day), and refusal (403). Each event is added to the request's session, so it commits with the
change it is about; programme staff read the log under Admin (portal.admin.security_log).

Where from: the client's address as the app sees it (behind a load balancer, TRUSTED_PROXIES
makes it the client's, not the balancer's) and a summary of its browser ("Chrome on Linux").
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_login import current_user
from werkzeug.wrappers import Response

from accounts.models import ApiToken, SecurityEvent, User
from accounts.sessions import browser_summary
from core.extensions import db
from core.records import utcnow

KINDS = {
    "login": "Logged in",
    "login_failed": "Login failed",
    "login_refused_locked": "Login refused: account locked",
    "locked": "Account locked",
    "unlocked": "Account unlocked",
    "logout": "Logged out",
    "password_changed": "Password changed",
    "password_reset_requested": "Password reset asked for",
    "password_reset": "Password reset from an emailed link",
    "invitation_accepted": "Invitation accepted",
    "second_factor_set_up": "Second factor set up",
    "second_factor_failed": "Wrong security code",
    "recovery_code_used": "Recovery code used",
    "recovery_codes_renewed": "New recovery codes made",
    "second_factor_turned_off": "Second factor turned off",
    "second_factor_reset": "Second factor reset by programme staff",
    "token_created": "API token created",
    "token_revoked": "API token revoked",
    "token_used": "API token used (first use that day)",
    "access_refused": "Refused (403)",
}


def record(
    kind: str,
    user: User | int | None = None,
    *,
    email: str | None = None,
    detail: str = "",
) -> SecurityEvent:
    """Add an event of `kind` about `user` (a User, an id, or None when nobody is known) to the
    session; the caller commits. `email` is the address tried, for a failure."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    ip_address = user_agent = None
    if has_request_context():
        ip_address = (request.remote_addr or "")[:45] or None
        user_agent = browser_summary(request.headers.get("User-Agent"))[:80]
    event = SecurityEvent(
        kind=kind,
        user_id=user.id if isinstance(user, User) else user,
        email=email.strip().lower()[:254] if email else None,
        ip_address=ip_address,
        user_agent=user_agent,
        detail=detail[:300],
    )
    db.session.add(event)
    db.session.flush()
    return event


def by_whom(actor: User) -> str:
    """The detail of an event that programme staff caused: "by Name (user 3)"."""
    return f"by {actor.name} (user {actor.id})"


def note_token_use(token: ApiToken) -> None:
    """A request made with `token`: the first one each day (UTC) goes to the log. A bare
    UPDATE, so that the audit log does not record it and only one of two requests racing for
    the first use of the day writes the event; it commits at once."""
    today = utcnow().date()
    if token.last_used_on == today:
        return
    result = db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == token.id,
            sa.or_(ApiToken.last_used_on.is_(None), ApiToken.last_used_on < today),
        )
        .values(last_used_on=today)
    )
    if getattr(result, "rowcount", 0) == 1:
        record("token_used", token.user_id, detail=f"token '{token.name}' (id {token.id})")
    db.session.commit()


def record_refusal(response: Response) -> Response:
    """After every request: a 403 answer goes to the log, with who asked (when known) and what.
    Whatever the refused request had written is rolled back first; a failure to write the event
    is logged, never an error page."""
    if response.status_code != 403:
        return response
    try:
        db.session.rollback()
        user_id = int(current_user.id) if current_user.is_authenticated else None
        record("access_refused", user_id, detail=f"{request.method} {request.path}"[:300])
        db.session.commit()
    except Exception:  # the refusal stands, whatever happens to its record
        db.session.rollback()
        current_app.logger.exception("Could not record a refusal in the security log")
    return response
