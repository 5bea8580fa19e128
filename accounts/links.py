"""Single-use links sent by e-mail: an invitation to set a first password (INVITATION_DAYS) and a
password reset (PASSWORD_RESET_MINUTES). The link holds a random secret; only its hash is kept.
A new link of the same purpose revokes the person's earlier ones; using a link spends it, sets
the password (by the password rule) and ends all the person's sessions."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from accounts.emails import send_password_reset
from accounts.models import AccountLink, User, hash_token
from accounts.services import normalise_email, set_new_password
from core.extensions import db
from core.records import utcnow

INVITATION = "invitation"
PASSWORD_RESET = "password_reset"


def lifetime(purpose: str) -> timedelta:
    if purpose == INVITATION:
        return timedelta(days=current_app.config["INVITATION_DAYS"])
    return timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def revoke_links(user: User, purpose: str) -> int:
    links = db.session.scalars(
        sa.select(AccountLink).where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None),
        )
    ).all()
    now = utcnow()
    for link in links:
        link.revoked_at = now
    db.session.flush()
    return len(links)


def issue_link(user: User, purpose: str) -> tuple[AccountLink, str]:
    """A new link for `user`, replacing any earlier one of the same purpose. Returns the record
    and the secret, which goes in the e-mail and is never stored."""
    revoke_links(user, purpose)
    secret = secrets.token_urlsafe(32)
    link = AccountLink(
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(secret),
        expires_at=utcnow() + lifetime(purpose),
    )
    db.session.add(link)
    db.session.flush()
    return link, secret


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def usable(link: AccountLink, now: datetime | None = None) -> bool:
    """Not used, not replaced, not expired, and its person still active."""
    return (
        link.used_at is None
        and link.revoked_at is None
        and _aware(link.expires_at) > (now or utcnow())
        and link.user.active
    )


def find_link(secret: str, purpose: str) -> AccountLink | None:
    """The usable link of this purpose whose secret this is, or None."""
    if not secret or len(secret) > 200:
        return None
    link = db.session.scalar(
        sa.select(AccountLink).where(
            AccountLink.token_hash == hash_token(secret), AccountLink.purpose == purpose
        )
    )
    return link if link is not None and usable(link) else None


def use_link(link: AccountLink, password: str) -> User:
    """Spend the link: the person's password becomes `password` (ValidationFailed if it breaks
    the rule, and the link stays usable) and all their sessions end."""
    user = link.user
    set_new_password(user, password)
    link.used_at = utcnow()
    if link.purpose == PASSWORD_RESET:
        revoke_links(user, PASSWORD_RESET)
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Someone asks for a reset link for `email`. An active user with that address is sent one;
    otherwise nothing is sent. Either way a secret is made and hashed and the address looked up,
    and the caller shows the same answer, so the page does not tell whether the address exists."""
    user = db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == normalise_email(email))
    )
    if user is None or not user.active:
        hash_token(secrets.token_urlsafe(32))  # the same work as a real link, then nothing
        return
    _, secret = issue_link(user, PASSWORD_RESET)
    send_password_reset(user, secret, current_app.config["PASSWORD_RESET_MINUTES"])
