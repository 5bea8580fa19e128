"""People and their roles, and their API tokens. The links that scope a user (a site lead's sites,
a funder user's funder) live with what they scope: sites.models.UserSite, and the funder_id column
here, which refers to programme's table by name only."""

from __future__ import annotations

import hashlib
from datetime import datetime
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
