"""Regional trainers' work: which sites each trainer is assigned to, and when."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models import Record, User
from sites.models import Site


class Assignment(Record, db.Model):
    __tablename__ = "assignment"
    __table_args__ = (sa.Index("ix_assignment_user_site", "user_id", "site_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    user: Mapped[User] = relationship()
    site: Mapped[Site] = relationship()
