"""Writes on mentorings: record one, end one. Validate (sites.mentoring.rules), change, flush;
the audit hook records each change and the caller commits."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from core.errors import ValidationFailed
from core.extensions import db
from core.records import check_version
from sites.mentoring.rules import Span, end_problems, mentoring_problems
from sites.models import Mentoring, Site


def _pair_spans(
    first_site_id: int, second_site_id: int, leaving_out: int | None = None
) -> list[Span]:
    """The dates of every mentoring between the two sites, either way round."""
    pair = {first_site_id, second_site_id}
    statement = sa.select(Mentoring.starts_on, Mentoring.ends_on).where(
        Mentoring.mentor_site_id.in_(pair), Mentoring.mentee_site_id.in_(pair)
    )
    if leaving_out is not None:
        statement = statement.where(Mentoring.id != leaving_out)
    return [Span(row.starts_on, row.ends_on) for row in db.session.execute(statement)]


def _programme_exists(programme_id: int) -> bool:
    # The programme table by name: programmes sit above sites, which may not import them.
    programme = db.metadata.tables["programme"]
    found = db.session.scalar(sa.select(programme.c.id).where(programme.c.id == programme_id))
    return found is not None


def record_mentoring(
    mentor: Site,
    *,
    mentee_site_id: int,
    starts_on: date,
    ends_on: date | None = None,
    programme_id: int | None = None,
    note: str | None = None,
) -> Mentoring:
    """`mentor` mentors the site `mentee_site_id` from `starts_on` (to `ends_on`, when known),
    within the programme `programme_id` when given. `note` is for staff only."""
    fields = {}
    if db.session.get(Site, mentee_site_id) is None:
        fields["mentee_site_id"] = [f"No site with id {mentee_site_id}"]
    if programme_id is not None and not _programme_exists(programme_id):
        fields["programme_id"] = [f"No programme with id {programme_id}"]
    if not fields:
        fields = mentoring_problems(
            mentor.id, mentee_site_id, starts_on, ends_on, _pair_spans(mentor.id, mentee_site_id)
        )
    if fields:
        raise ValidationFailed(fields)
    mentoring = Mentoring(
        mentor_site_id=mentor.id,
        mentee_site_id=mentee_site_id,
        starts_on=starts_on,
        ends_on=ends_on,
        programme_id=programme_id,
        note=(note or "").strip() or None,
    )
    db.session.add(mentoring)
    db.session.flush()
    return mentoring


def end_mentoring(mentoring: Mentoring, ends_on: date, version: int | None = None) -> Mentoring:
    """The mentoring ends (or ended) on `ends_on`; `version` is the one the caller read."""
    check_version(mentoring, version)
    others = _pair_spans(mentoring.mentor_site_id, mentoring.mentee_site_id, mentoring.id)
    fields = end_problems(mentoring.starts_on, ends_on, others)
    if fields:
        raise ValidationFailed(fields)
    mentoring.ends_on = ends_on
    db.session.flush()
    return mentoring
