"""Writes on trainers' work. Each validates, changes and flushes; the caller commits."""

from __future__ import annotations

from datetime import date

from portal.errors import ValidationFailed
from portal.extensions import db
from portal.models import User
from sites.models import Site
from training.models import Assignment


def assign_trainer(
    *, user: User, site_id: int, starts_on: date, ends_on: date | None = None
) -> Assignment:
    fields: dict[str, list[str]] = {}
    if user.role != "trainer":
        fields["user_id"] = ["Only a regional trainer can be assigned to a site"]
    if db.session.get(Site, site_id) is None:
        fields["site_id"] = [f"No site with id {site_id}"]
    if ends_on is not None and ends_on < starts_on:
        fields["ends_on"] = ["The end date must be on or after the start date"]
    if fields:
        raise ValidationFailed(fields)
    assignment = Assignment(user_id=user.id, site_id=site_id, starts_on=starts_on, ends_on=ends_on)
    db.session.add(assignment)
    db.session.flush()
    return assignment
