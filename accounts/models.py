"""People and their roles, and their API tokens. The links that scope a user (a site lead's sites,
a funder user's funder) live with what they scope: sites.models.UserSite, and the funder_id column
here, which refers to programme's table by name only."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.extensions import db
from core.records import Record

if TYPE_CHECKING:
    from programme.models import Funder
    from sites.models import Site

ROLES = {
    "admin": "Programme staff",
    "trainer": "Regional trainer",
    "site_lead": "Site lead",
    "funder": "Funder",
}
EVERY_ROLE = tuple(ROLES)


class User(Record, UserMixin, db.Model):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    funder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("funder.id"), index=True)
    # Set when too many logins fail (accounts.lockout); a time in the past is no lock.
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Return reminders and the weekly digest (sites.returns.reminders); each person can stop them.
    reminders: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Where the person works: a regional trainer's host (usually a Centre of Excellence), or a
    # Centre's staff member who reviews other sites; reviews of its own sites are refused.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )

    funder: Mapped[Funder | None] = relationship()
    sites: Mapped[list[Site]] = relationship(secondary="user_site", viewonly=True)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def has_password(self) -> bool:
        """False for someone invited who has not yet set a password (they cannot log in)."""
        return bool(self.password_hash)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Record, db.Model):
    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The day (UTC) it was last used: its first use each day goes to the security log.
    last_used_on: Mapped[date | None] = mapped_column(sa.Date)

    user: Mapped[User] = relationship()


class UserSession(Record, db.Model):
    """A signed-in session: its key (hashed here; the key itself is in the signed session
    cookie), when it started and was last seen, the browser, and when it ended. A page's request
    is signed in only while its session is live (accounts.sessions)."""

    __tablename__ = "user_session"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(sa.String(80))  # a summary: "Chrome on Linux"
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


LINK_PURPOSES = {"invitation": "Invitation", "password_reset": "Password reset"}


class AccountLink(Record, db.Model):
    """A single-use link sent by e-mail: an invitation to set a first password, or a password
    reset. Only the hash of its secret is kept. Replaced links are revoked."""

    __tablename__ = "account_link"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class SecondFactor(Record, db.Model):
    """A person's authenticator app (TOTP, RFC 6238): the shared secret, which must be kept as it
    is to check codes, and the time step of the last code accepted, so that no code works twice.
    Unconfirmed (confirmed_at empty) while being set up. Not audited by the flush hook, which
    would copy the secret into the audit log: accounts.second_factor writes its audit rows
    itself, without the secret."""

    __tablename__ = "second_factor"
    __audited__ = False

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    secret: Mapped[str] = mapped_column(sa.String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_step: Mapped[int | None]

    user: Mapped[User] = relationship()


class RecoveryCode(Record, db.Model):
    """A one-time code that stands in for the authenticator app: only its hash is kept. Its use
    goes to the security log."""

    __tablename__ = "recovery_code"
    __audited__ = False

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SecurityEvent(Record, db.Model):
    """The security log (accounts.security_log): a login, a failure, a lockout, a token's use, a
    refusal... with who (when known), the e-mail address tried (failures), where from and with
    what browser. A log itself: not audited."""

    __tablename__ = "security_event"
    __audited__ = False
    __table_args__ = (sa.Index("ix_security_event_created_at", "created_at"),)

    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str | None] = mapped_column(sa.String(254))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(80))
    detail: Mapped[str] = mapped_column(sa.String(300), default="")

    user: Mapped[User | None] = relationship()
