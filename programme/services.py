"""Writes on funders, programmes, target profiles and participations: validate, change, flush."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from core.errors import Fields, ValidationFailed
from core.extensions import db
from core.records import apply, check_version
from programme.models import Funder, Participation, Programme, TargetMonth
from programme.progress import month_start
from sites.models import Site

PROGRAMME_FIELDS = ("name", "funder_id", "summary", "starts_on", "ends_on", "job_start_target")


def find_or_create_funder(name: str) -> Funder:
    name = name.strip()
    if not name:
        raise ValidationFailed({"funder": ["Enter the funder's name"]})
    named = sa.select(Funder).where(sa.func.lower(Funder.name) == name.lower())
    funder = db.session.scalar(named)
    if funder is None:
        try:
            with db.session.begin_nested():  # a savepoint: only the funder's insert is undone
                funder = Funder(name=name)
                db.session.add(funder)
        except sa.exc.IntegrityError:
            # A racing request created it and committed first: use theirs.
            funder = db.session.scalar(named)
            if funder is None:
                raise
    return funder


def create_funder(name: str) -> Funder:
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": ["Enter the funder's name"]})
    if db.session.scalar(sa.select(Funder.id).where(sa.func.lower(Funder.name) == name.lower())):
        raise ValidationFailed({"name": ["A funder with this name already exists"]})
    funder = Funder(name=name)
    db.session.add(funder)
    db.session.flush()
    return funder


def update_funder(funder: Funder, name: str, version: int | None = None) -> Funder:
    check_version(funder, version)
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": ["Enter the funder's name"]})
    if db.session.scalar(
        sa.select(Funder.id).where(
            sa.func.lower(Funder.name) == name.lower(), Funder.id != funder.id
        )
    ):
        raise ValidationFailed({"name": ["A funder with this name already exists"]})
    funder.name = name
    db.session.flush()
    return funder


def _profile_errors(
    profile: list[dict[str, Any]], starts_on: date | None, ends_on: date | None
) -> list[str]:
    messages: list[str] = []
    months = [month_start(point["month"]) for point in profile]
    if len(set(months)) != len(months):
        messages.append("Each month may appear once in the target profile")
    values = [point["cumulative"] for point in sorted(profile, key=lambda p: p["month"])]
    if any(v < 0 for v in values):
        messages.append("Cumulative targets must be 0 or more")
    if any(b < a for a, b in zip(values, values[1:], strict=False)):
        messages.append("Cumulative targets cannot fall from one month to the next")
    if (
        starts_on
        and ends_on
        and any(not month_start(starts_on) <= m <= month_start(ends_on) for m in months)
    ):
        messages.append("Every profile month must fall inside the programme's dates")
    return messages


def _programme_errors(data: dict[str, Any], programme_id: int | None) -> Fields:
    fields: Fields = {}
    name = (data.get("name") or "").strip()
    if not name:
        fields["name"] = ["Enter the programme's name"]
    elif db.session.scalar(
        sa.select(Programme.id).where(
            sa.func.lower(Programme.name) == name.lower(), Programme.id != (programme_id or 0)
        )
    ):
        fields["name"] = ["A programme with this name already exists"]
    if data.get("funder_id") is None or db.session.get(Funder, data["funder_id"]) is None:
        fields["funder"] = ["Choose the programme's funder"]
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on is None:
        fields["starts_on"] = ["Enter the start date"]
    if ends_on is None:
        fields["ends_on"] = ["Enter the end date"]
    if starts_on and ends_on and ends_on < starts_on:
        fields["ends_on"] = ["The end date must be on or after the start date"]
    target = data.get("job_start_target")
    if target is None or target < 0:
        fields["job_start_target"] = ["Enter the job-start target, a whole number 0 or more"]
    profile = data.get("target_profile")
    if profile:
        messages = _profile_errors(profile, starts_on, ends_on)
        if messages:
            fields["target_profile"] = messages
    return fields


def _set_profile(programme: Programme, profile: list[dict[str, Any]] | None) -> None:
    if profile is None:
        return
    for month in list(programme.target_profile):
        db.session.delete(month)  # deleted explicitly, so the audit log records each one
    programme.target_profile = [
        TargetMonth(month=month_start(point["month"]), cumulative=point["cumulative"])
        for point in sorted(profile, key=lambda p: p["month"])
    ]


def create_programme(data: dict[str, Any]) -> Programme:
    """`data` has the programme's fields and an optional `target_profile` of {month, cumulative}."""
    clean = {key: data.get(key) for key in PROGRAMME_FIELDS}
    clean["name"] = (clean["name"] or "").strip()
    fields = _programme_errors(clean | {"target_profile": data.get("target_profile")}, None)
    if fields:
        raise ValidationFailed(fields)
    programme = Programme(**clean)
    db.session.add(programme)
    _set_profile(programme, data.get("target_profile"))
    db.session.flush()
    return programme


def update_programme(
    programme: Programme, data: dict[str, Any], version: int | None = None
) -> Programme:
    """Only the keys present change; `target_profile` replaces the whole profile ([] clears it)."""
    check_version(programme, version)
    clean = {key: data[key] for key in PROGRAMME_FIELDS if key in data}
    if isinstance(clean.get("name"), str):
        clean["name"] = clean["name"].strip()
    merged = {key: getattr(programme, key) for key in PROGRAMME_FIELDS} | clean
    fields = _programme_errors(
        merged | {"target_profile": data.get("target_profile")}, programme.id
    )
    if fields:
        raise ValidationFailed(fields)
    apply(programme, clean)
    _set_profile(programme, data.get("target_profile"))
    db.session.flush()
    return programme


def add_participation(
    programme: Programme,
    *,
    site_id: int,
    joined_on: date,
    left_on: date | None = None,
    site_target: int | None = None,
) -> Participation:
    fields: Fields = {}
    if db.session.get(Site, site_id) is None:
        fields["site_id"] = [f"No site with id {site_id}"]
    if left_on is not None and left_on < joined_on:
        fields["left_on"] = ["The leaving date must be on or after the joining date"]
    if site_target is not None and site_target < 0:
        fields["site_target"] = ["The site target must be a whole number, 0 or more"]
    if not fields:
        overlapping = db.session.scalar(
            sa.select(Participation.id).where(
                Participation.programme_id == programme.id,
                Participation.site_id == site_id,
                sa.or_(Participation.left_on.is_(None), Participation.left_on >= joined_on),
                Participation.joined_on <= (left_on or date.max),
            )
        )
        if overlapping:
            fields["joined_on"] = ["This site already takes part in the programme on these dates"]
    if fields:
        raise ValidationFailed(fields)
    participation = Participation(
        programme_id=programme.id,
        site_id=site_id,
        joined_on=joined_on,
        left_on=left_on,
        site_target=site_target,
    )
    db.session.add(participation)
    db.session.flush()
    return participation


def update_participation(
    participation: Participation,
    *,
    joined_on: date,
    left_on: date | None,
    site_target: int | None,
    version: int | None = None,
) -> Participation:
    check_version(participation, version)
    fields: Fields = {}
    if left_on is not None and left_on < joined_on:
        fields["left_on"] = ["The leaving date must be on or after the joining date"]
    if site_target is not None and site_target < 0:
        fields["site_target"] = ["The site target must be a whole number, 0 or more"]
    if fields:
        raise ValidationFailed(fields)
    participation.joined_on = joined_on
    participation.left_on = left_on
    participation.site_target = site_target
    db.session.flush()
    return participation
