"""The shell's tables: users and their scope, API tokens, the audit log; and the Record mixin."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.extensions import db

if TYPE_CHECKING:
    from programme.models import Funder
    from sites.models import Site

ROLES = {
    "admin": "Programme staff",
    "trainer": "Regional trainer",
    "site_lead": "Site lead",
    "funder": "Funder",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Record:
    """Every table has an id, timestamps and a version that guards against lost updates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class UserSite(Record, db.Model):
    """A site lead's site."""

    __tablename__ = "user_site"
    __table_args__ = (sa.UniqueConstraint("user_id", "site_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"), index=True)


class User(Record, UserMixin, db.Model):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    funder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("funder.id"), index=True)

    funder: Mapped[Funder | None] = relationship()
    sites: Mapped[list[Site]] = relationship(secondary="user_site", viewonly=True)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

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

    user: Mapped[User] = relationship()


class AuditEvent(db.Model):
    """Who changed what, with the record's fields before and after. Written by portal.audit."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    table_name: Mapped[str] = mapped_column(sa.String(60))
    record_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(20))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    user: Mapped[User | None] = relationship()
