"""Writes on funders, programmes, target profiles and participations: validate, change, flush."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from core.errors import Fields, ValidationFailed
from core.extensions import db
from core.records import apply, check_version, utcnow
from programme.models import (
    PARTICIPATION_ROLES,
    Funder,
    Participation,
    Programme,
    ProgrammePartner,
    TargetMonth,
)
from programme.progress import month_start
from sites.models import Organisation, Site

PROGRAMME_FIELDS = (
    "name",
    "funder_id",
    "summary",
    "starts_on",
    "ends_on",
    "job_start_target",
    "lead_organisation_id",
)


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
    return fields | _leadership_errors(
        data.get("lead_organisation_id"), data.get("partner_organisation_ids")
    )


def _leadership_errors(lead_id: int | None, partner_ids: list[int] | None) -> Fields:
    """Unknown organisations, and a lead that is named among its own partners."""
    wanted = {lead_id} if lead_id is not None else set()
    wanted |= set(partner_ids or ())
    known = set(
        db.session.scalars(sa.select(Organisation.id).where(Organisation.id.in_(wanted)))
        if wanted
        else ()
    )
    fields: Fields = {}
    if lead_id is not None and lead_id not in known:
        fields["lead_organisation_id"] = [f"No organisation with id {lead_id}"]
    unknown = sorted(set(partner_ids or ()) - known)
    if unknown:
        listed = ", ".join(str(number) for number in unknown)
        fields["partner_organisation_ids"] = [f"No organisation with id {listed}"]
    elif lead_id is not None and lead_id in set(partner_ids or ()):
        fields["partner_organisation_ids"] = [
            "The lead organisation leads the programme: do not name it as a partner too"
        ]
    return fields


def _set_partners(programme: Programme, partner_ids: list[int] | None) -> bool:
    """The programme's partners become `partner_ids` (None leaves them as they are); each row
    added or deleted explicitly, so the audit log records it. Whether they changed."""
    if partner_ids is None:
        return False
    current = {
        partner.organisation_id: partner
        for partner in db.session.scalars(
            sa.select(ProgrammePartner).where(ProgrammePartner.programme_id == programme.id)
        )
    }
    removed = [partner for key, partner in current.items() if key not in partner_ids]
    added = sorted(set(partner_ids) - set(current))
    if not removed and not added:
        return False
    for partner in removed:
        db.session.delete(partner)
    for organisation_id in added:
        db.session.add(ProgrammePartner(programme_id=programme.id, organisation_id=organisation_id))
    db.session.flush()
    db.session.expire(programme, ["partners"])
    return True


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
    partner_ids = data.get("partner_organisation_ids")
    fields = _programme_errors(
        clean
        | {"target_profile": data.get("target_profile"), "partner_organisation_ids": partner_ids},
        None,
    )
    if fields:
        raise ValidationFailed(fields)
    programme = Programme(**clean)
    db.session.add(programme)
    _set_profile(programme, data.get("target_profile"))
    db.session.flush()
    _set_partners(programme, partner_ids)
    return programme


def update_programme(
    programme: Programme, data: dict[str, Any], version: int | None = None
) -> Programme:
    """Only the keys present change; `target_profile` replaces the whole profile ([] clears it),
    and so does `partner_organisation_ids` the partners."""
    check_version(programme, version)
    clean = {key: data[key] for key in PROGRAMME_FIELDS if key in data}
    if isinstance(clean.get("name"), str):
        clean["name"] = clean["name"].strip()
    merged = {key: getattr(programme, key) for key in PROGRAMME_FIELDS} | clean
    partner_ids = data.get("partner_organisation_ids")
    partners_after = (
        partner_ids
        if partner_ids is not None
        else [partner.organisation_id for partner in programme.partners]
    )
    fields = _programme_errors(
        merged
        | {
            "target_profile": data.get("target_profile"),
            "partner_organisation_ids": partners_after,
        },
        programme.id,
    )
    if fields:
        raise ValidationFailed(fields)
    apply(programme, clean)
    _set_profile(programme, data.get("target_profile"))
    if _set_partners(programme, partner_ids):
        programme.updated_at = utcnow()  # its partners are the programme's: a new version
    db.session.flush()
    return programme


def add_participation(
    programme: Programme,
    *,
    site_id: int,
    joined_on: date,
    left_on: date | None = None,
    site_target: int | None = None,
    role: str = "new_service",
) -> Participation:
    """`role` is the site's part in the programme: a key of PARTICIPATION_ROLES."""
    fields = _participation_errors(joined_on, left_on, site_target, role)
    if db.session.get(Site, site_id) is None:
        fields["site_id"] = [f"No site with id {site_id}"]
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
        role=role,
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
    role: str | None = None,
) -> Participation:
    """`role` None keeps the site's role in the programme."""
    check_version(participation, version)
    role = role or participation.role
    fields = _participation_errors(joined_on, left_on, site_target, role)
    if fields:
        raise ValidationFailed(fields)
    participation.joined_on = joined_on
    participation.left_on = left_on
    participation.site_target = site_target
    participation.role = role
    db.session.flush()
    return participation


def _participation_errors(
    joined_on: date, left_on: date | None, site_target: int | None, role: str
) -> Fields:
    fields: Fields = {}
    if left_on is not None and left_on < joined_on:
        fields["left_on"] = ["The leaving date must be on or after the joining date"]
    if site_target is not None and site_target < 0:
        fields["site_target"] = ["The site target must be a whole number, 0 or more"]
    if role not in PARTICIPATION_ROLES:
        fields["role"] = [f"Choose one of: {', '.join(PARTICIPATION_ROLES)}"]
    return fields
