"""Providers, their IPS services (sites), Centre of Excellence awards and monthly returns.

Only aggregate counts are stored: there is no field for anything about an individual.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models import Record

REGIONS = {
    "north-east-and-yorkshire": "North East and Yorkshire",
    "north-west": "North West",
    "midlands": "Midlands",
    "east-of-england": "East of England",
    "london": "London",
    "south-east": "South East",
    "south-west": "South West",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}

ORGANISATION_KINDS = {
    "nhs_trust": "NHS trust",
    "local_authority": "Local authority",
    "voluntary": "Voluntary sector",
    "other": "Other",
}

RETURN_STATUSES = {"draft": "Draft", "submitted": "Submitted"}

SECTORS = {
    "construction": "Construction",
    "health_and_social_care": "Health and social care",
    "education": "Education",
    "retail": "Retail",
    "hospitality": "Hospitality",
    "admin_and_finance": "Admin and finance",
    "engineering_and_trades": "Engineering and trades",
    "animal_care": "Animal care",
    "other": "Other",
}

# The whole-number figures of a return, in form order.
RETURN_COUNTS = (
    "referrals",
    "caseload",
    "new_to_service",
    "first_contact_within_4_weeks",
    "job_starts",
    "in_work",
    "sustained_13_weeks",
    "discharges",
)


class Organisation(Record, db.Model):
    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    ods_code: Mapped[str | None] = mapped_column(sa.String(10), unique=True)
    region: Mapped[str] = mapped_column(sa.String(40))

    sites: Mapped[list[Site]] = relationship(back_populates="organisation")

    @property
    def kind_label(self) -> str:
        return ORGANISATION_KINDS.get(self.kind, self.kind)

    @property
    def region_label(self) -> str:
        return REGIONS.get(self.region, self.region)


class Site(Record, db.Model):
    __tablename__ = "site"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    locality: Mapped[str | None] = mapped_column(sa.String(120))
    region: Mapped[str] = mapped_column(sa.String(40), index=True)
    launched_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    organisation: Mapped[Organisation] = relationship(back_populates="sites")
    designations: Mapped[list[Designation]] = relationship(
        back_populates="site", order_by="Designation.awarded_on"
    )

    @property
    def region_label(self) -> str:
        return REGIONS.get(self.region, self.region)

    def is_open_on(self, day: date) -> bool:
        return (self.launched_on is None or self.launched_on <= day) and (
            self.closed_on is None or self.closed_on > day
        )


class Designation(Record, db.Model):
    """A Centre of Excellence award: kept as history, not a flag."""

    __tablename__ = "designation"

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"), index=True)
    awarded_on: Mapped[date]
    ended_on: Mapped[date | None]

    site: Mapped[Site] = relationship(back_populates="designations")


class MonthlyReturn(Record, db.Model):
    """A site's aggregate figures for one calendar month. `month` is the month's first day."""

    __tablename__ = "monthly_return"
    __table_args__ = (
        sa.UniqueConstraint("site_id", "month"),
        sa.Index("ix_monthly_return_month_status", "month", "status"),
    )

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    month: Mapped[date]
    referrals: Mapped[int] = mapped_column(default=0)
    caseload: Mapped[int] = mapped_column(default=0)
    new_to_service: Mapped[int] = mapped_column(default=0)
    first_contact_within_4_weeks: Mapped[int] = mapped_column(default=0)
    job_starts: Mapped[int] = mapped_column(default=0)
    in_work: Mapped[int] = mapped_column(default=0)
    sustained_13_weeks: Mapped[int] = mapped_column(default=0)
    employment_specialists_fte: Mapped[Decimal] = mapped_column(
        sa.Numeric(6, 2), default=Decimal("0")
    )
    discharges: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(12), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    site: Mapped[Site] = relationship()
    sectors: Mapped[list[ReturnSector]] = relationship(
        back_populates="monthly_return",
        cascade="all, delete-orphan",
        order_by="ReturnSector.sector",
    )


class ReturnSector(Record, db.Model):
    """Job starts of one return in one employment sector."""

    __tablename__ = "return_sector"
    __table_args__ = (sa.UniqueConstraint("return_id", "sector"),)

    return_id: Mapped[int] = mapped_column(sa.ForeignKey("monthly_return.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(sa.String(40))
    job_starts: Mapped[int] = mapped_column(default=0)

    monthly_return: Mapped[MonthlyReturn] = relationship(back_populates="sectors")
