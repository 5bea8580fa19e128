"""Providers, their IPS services (sites), Centre of Excellence awards and monthly returns.

Only aggregate counts are stored: there is no field for anything about an individual.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.extensions import db
from core.records import Record, utcnow
from sites.returns import rules as return_rules
from sites.returns.workflow import Status as ReturnStatus

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


RETURN_STATUSES = {
    ReturnStatus.DRAFT: "Draft",
    ReturnStatus.SUBMITTED: "Submitted",
    ReturnStatus.RETURNED: "Sent back",
    ReturnStatus.APPROVED: "Approved",
}

# The figures and sectors of a return are defined once, with their rules.
SECTORS = return_rules.SECTORS
RETURN_COUNTS = tuple(return_rules.COUNTS)


class UserSite(Record, db.Model):
    """A site lead's site."""

    __tablename__ = "user_site"
    __table_args__ = (sa.UniqueConstraint("user_id", "site_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id", ondelete="CASCADE"), index=True)


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


class Mentoring(Record, db.Model):
    """One site (usually a Centre of Excellence) mentoring another, with dates, and the
    programme when the mentoring happens within one."""

    __tablename__ = "mentoring"
    __table_args__ = (
        sa.Index("ix_mentoring_mentor", "mentor_site_id", "starts_on"),
        sa.Index("ix_mentoring_mentee", "mentee_site_id", "starts_on"),
        sa.CheckConstraint("mentor_site_id <> mentee_site_id", name="not_itself"),
    )

    mentor_site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    mentee_site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(sa.Text)  # staff's; never shown to funders

    mentor: Mapped[Site] = relationship(foreign_keys=[mentor_site_id])
    mentee: Mapped[Site] = relationship(foreign_keys=[mentee_site_id])


class MonthlyReturn(Record, db.Model):
    """A site's aggregate figures for one calendar month. `month` is the month's first day."""

    __tablename__ = "monthly_return"
    __table_args__ = (
        sa.UniqueConstraint("site_id", "month"),
        sa.Index("ix_monthly_return_month_status", "month", "status"),
        # Programme figures join participations to returns by (site, month) and read only status
        # and job starts: with them in the index those reads never touch the table (bench/).
        sa.Index(
            "ix_monthly_return_site_month_status_job_starts",
            "site_id",
            "month",
            "status",
            "job_starts",
        ),
    )

    site_id: Mapped[int] = mapped_column(sa.ForeignKey("site.id"))
    month: Mapped[date]
    # Figures are None only in a draft that left them blank; a submitted return has them all.
    referrals: Mapped[int | None]
    caseload: Mapped[int | None]
    new_to_service: Mapped[int | None]
    first_contact_within_4_weeks: Mapped[int | None]
    job_starts: Mapped[int | None]
    in_work: Mapped[int | None]
    sustained_13_weeks: Mapped[int | None]
    employment_specialists_fte: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    discharges: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(12), default=ReturnStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The first submission, which timeliness counts (a return sent back and resubmitted keeps it).
    first_submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The unusual figures its sender confirmed (sites.returns.unusual), shown to the approver.
    unusual_figures: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)

    site: Mapped[Site] = relationship()
    sectors: Mapped[list[ReturnSector]] = relationship(
        back_populates="monthly_return",
        cascade="all, delete-orphan",
        order_by="ReturnSector.sector",
    )
    versions: Mapped[list[ReturnVersion]] = relationship(
        back_populates="monthly_return",
        cascade="all, delete-orphan",
        order_by="ReturnVersion.number",
    )
    # The approval history (sites.returns.workflow), oldest first.
    steps: Mapped[list[ReturnStep]] = relationship(
        cascade="all, delete-orphan", order_by="ReturnStep.id"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ReturnStatus.SUBMITTED

    def figures(self) -> dict[str, int | Decimal | None]:
        return {name: getattr(self, name) for name in return_rules.FIGURES}

    def sector_counts(self) -> dict[str, int]:
        return {row.sector: row.job_starts for row in self.sectors}


class ReturnSector(Record, db.Model):
    """Job starts of one return in one employment sector."""

    __tablename__ = "return_sector"
    __table_args__ = (sa.UniqueConstraint("return_id", "sector"),)

    return_id: Mapped[int] = mapped_column(sa.ForeignKey("monthly_return.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(sa.String(40))
    job_starts: Mapped[int] = mapped_column(default=0)

    monthly_return: Mapped[MonthlyReturn] = relationship(back_populates="sectors")


class ReturnVersion(Record, db.Model):
    """One submitted version of a return's figures: the first submission and each amendment.
    Earlier versions are kept, so the history shows who changed what, and when."""

    __tablename__ = "return_version"
    __table_args__ = (sa.UniqueConstraint("return_id", "number"),)

    return_id: Mapped[int] = mapped_column(sa.ForeignKey("monthly_return.id", ondelete="CASCADE"))
    number: Mapped[int]
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    saved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    saved_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(sa.String(12), default="form")

    monthly_return: Mapped[MonthlyReturn] = relationship(back_populates="versions")
    saved_by: Mapped[User | None] = relationship()


class ReturnUpload(db.Model):
    """A CSV file of returns waiting for its sender to confirm the import in the browser.

    Staging, not figures: it is not a Record and not audited (the returns it writes are), and it
    is deleted once imported or replaced by its sender's next upload.
    """

    __tablename__ = "return_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ReturnStep(Record, db.Model):
    """One step of a return's approval history (sites.returns.workflow): who moved it, when, and
    why (a reason is required to send back, to reopen and to ask for reopening)."""

    __tablename__ = "return_step"

    return_id: Mapped[int] = mapped_column(
        sa.ForeignKey("monthly_return.id", ondelete="CASCADE"), index=True
    )
    move: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(12))  # the status the step led to
    reason: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    actor: Mapped[User | None] = relationship()


class ReturnQuery(Record, db.Model):
    """A question on a return or one of its figures, raised by programme staff or the site's
    trainer and answered by the site lead. A return with an open query cannot be approved."""

    __tablename__ = "return_query"
    __table_args__ = (sa.Index("ix_return_query_return_status", "return_id", "status"),)

    return_id: Mapped[int] = mapped_column(sa.ForeignKey("monthly_return.id", ondelete="CASCADE"))
    figure: Mapped[str | None] = mapped_column(sa.String(40))  # None: the return as a whole
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(8), default="open")  # open, closed
    raised_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    raised_by: Mapped[User | None] = relationship()
    answers: Mapped[list[ReturnQueryAnswer]] = relationship(
        back_populates="query", cascade="all, delete-orphan", order_by="ReturnQueryAnswer.id"
    )


class ReturnQueryAnswer(Record, db.Model):
    __tablename__ = "return_query_answer"

    query_id: Mapped[int] = mapped_column(
        sa.ForeignKey("return_query.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    query: Mapped[ReturnQuery] = relationship(back_populates="answers")
    answered_by: Mapped[User | None] = relationship()


class ReminderSent(db.Model):
    """A reminder e-mail sent, so that `flask reminders send` (run hourly from cron) never sends
    the same one twice: `key` names what it was about ("due:12:2026-10", "digest:2026-W48")."""

    __tablename__ = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(60))
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
