"""Funders, their programmes, monthly target profiles and which sites take part when."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.records import Record
from sites.models import Organisation, Site


class Funder(Record, db.Model):
    __tablename__ = "funder"

    name: Mapped[str] = mapped_column(sa.String(200), unique=True)

    programmes: Mapped[list[Programme]] = relationship(back_populates="funder")


class Programme(Record, db.Model):
    __tablename__ = "programme"

    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    funder_id: Mapped[int] = mapped_column(sa.ForeignKey("funder.id"), index=True)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    job_start_target: Mapped[int]
    # Who leads the programme (Improve: Enable; Making IPS Work: the charity); partners below.
    lead_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL")
    )

    funder: Mapped[Funder] = relationship(back_populates="programmes")
    target_profile: Mapped[list[TargetMonth]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="TargetMonth.month"
    )
    participations: Mapped[list[Participation]] = relationship(
        back_populates="programme", order_by="Participation.joined_on"
    )
    # Read-only: programme.services sets them, deleting each partner row explicitly (audited).
    lead_organisation: Mapped[Organisation | None] = relationship(viewonly=True)
    partners: Mapped[list[ProgrammePartner]] = relationship(
        viewonly=True, order_by="ProgrammePartner.organisation_id"
    )


class ProgrammePartner(Record, db.Model):
    """An organisation that works with the lead organisation to run a programme."""

    __tablename__ = "programme_partner"
    __table_args__ = (sa.UniqueConstraint("programme_id", "organisation_id"),)

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )

    organisation: Mapped[Organisation] = relationship(viewonly=True)


PARTICIPATION_ROLES = {"pilot": "Pilot", "new_service": "New service", "mentor": "Mentor"}


class TargetMonth(Record, db.Model):
    """One month of a programme's target profile: expected cumulative job starts by month end."""

    __tablename__ = "target_month"
    __table_args__ = (sa.UniqueConstraint("programme_id", "month"),)

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"))
    month: Mapped[date]
    cumulative: Mapped[int]

    programme: Mapped[Programme] = relationship(back_populates="target_profile")


class Participation(Record, db.Model):
    """A site in a programme: its job starts count for the programme only between these dates."""

    __tablename__ = "participation"
    __table_args__ = (sa.Index("ix_participation_programme_site", "programme_id", "site_id"),)

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    site_target: Mapped[int | None]
    role: Mapped[str] = mapped_column(
        sa.String(12), default="new_service", server_default="new_service"
    )  # PARTICIPATION_ROLES

    programme: Mapped[Programme] = relationship(back_populates="participations")
    site: Mapped[Site] = relationship()
