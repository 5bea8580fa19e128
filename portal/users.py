"""Writes on users with their scope: a site lead's sites, a funder user's funder, a trainer's
assignments; and invitations. Each validates, changes and flushes; the caller commits.

A new password, deactivation or a new role ends all the user's signed-in sessions; deactivation
also revokes their API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from accounts.emails import send_invitation
from accounts.links import INVITATION, issue_link
from accounts.models import ROLES, User
from accounts.services import normalise_email, password_problems, revoke_all_tokens
from accounts.sessions import end_all_sessions
from core.errors import Fields, ValidationFailed
from core.extensions import db
from core.records import check_version
from programme.models import Funder
from sites.models import REGIONS, Organisation, Site, UserSite
from training.assignments.services import assign_trainer
from training.models import TrainerRegion


def _check_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
    site_ids: list[int],
    funder_id: int | None,
    user_id: int | None = None,
    organisation_id: int | None = None,
    regions: list[str] | None = None,
) -> Fields:

    fields: Fields = {}
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        fields["email"] = ["Enter an email address like name@example.org"]
    else:
        taken = db.session.scalar(
            sa.select(User.id).where(sa.func.lower(User.email) == email, User.id != (user_id or 0))
        )
        if taken:
            fields["email"] = ["A user with this email address already exists"]
    if not name.strip():
        fields["name"] = ["Enter the user's name"]
    if role not in ROLES:
        fields["role"] = [f"Choose one of: {', '.join(ROLES)}"]
    if password is not None:
        problems = password_problems(password, email=email, name=name)
        if problems:
            fields["password"] = problems
    if role == "funder" and (funder_id is None or db.session.get(Funder, funder_id) is None):
        fields["funder_id"] = ["Choose the funder this user reads for"]
    if role in {"site_lead", "trainer"} and site_ids:
        found = set(db.session.scalars(sa.select(Site.id).where(Site.id.in_(site_ids))))
        missing = sorted(set(site_ids) - found)
        if missing:
            fields["site_ids"] = [f"No site with id {', '.join(map(str, missing))}"]
    if role == "site_lead" and not site_ids:
        fields["site_ids"] = ["Choose at least one site for a site lead"]
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        fields["organisation_id"] = ["Choose an organisation from the list"]
    unknown = sorted(set(regions or ()) - REGIONS.keys())
    if unknown:
        fields["regions"] = [f"Choose regions from the list, not {', '.join(unknown)}"]
    return fields


def _set_trainer_regions(user: User, regions: Iterable[str]) -> None:
    """The regions a trainer covers become `regions` (none for any other role)."""
    wanted = set(regions) if user.role == "trainer" else set()
    current = {
        row.region: row
        for row in db.session.scalars(
            sa.select(TrainerRegion).where(TrainerRegion.user_id == user.id)
        )
    }
    for region, row in current.items():
        if region not in wanted:
            db.session.delete(row)
    db.session.add_all(
        TrainerRegion(user_id=user.id, region=region) for region in sorted(wanted - current.keys())
    )


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
    site_ids: Iterable[int] = (),
    funder_id: int | None = None,
    assign_from: date | None = None,
    organisation_id: int | None = None,
    regions: Iterable[str] = (),
) -> User:
    """Site leads are scoped to `site_ids`; trainers are assigned to them from `assign_from`
    and cover `regions`. Anyone but a funder may work at `organisation_id` (a trainer's host).
    Without a password (an invitation) the user cannot log in until they set one."""

    email = normalise_email(email)
    sites = list(dict.fromkeys(site_ids))
    fields = _check_user(
        email=email,
        name=name,
        role=role,
        password=password,
        site_ids=sites,
        funder_id=funder_id,
        organisation_id=organisation_id,
        regions=list(regions),
    )
    if fields:
        raise ValidationFailed(fields)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        funder_id=funder_id if role == "funder" else None,
        organisation_id=None if role == "funder" else organisation_id,
    )
    if password is None:
        user.password_hash = ""  # no password matches: set through the invitation's link
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if role == "site_lead":
        db.session.add_all(UserSite(user_id=user.id, site_id=site_id) for site_id in sites)
    if role == "trainer":
        for site_id in sites:
            assign_trainer(user=user, site_id=site_id, starts_on=assign_from or date.today())
    _set_trainer_regions(user, regions)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    name: str,
    role: str,
    active: bool,
    site_ids: Iterable[int] = (),
    funder_id: int | None = None,
    password: str | None = None,
    version: int | None = None,
    organisation_id: int | None = None,
    regions: Iterable[str] = (),
) -> User:
    """`version` is the one the caller read: if the user has changed since, StaleVersion."""
    check_version(user, version)
    sites = list(dict.fromkeys(site_ids))
    fields = _check_user(
        email=user.email,
        name=name,
        role=role,
        password=password or None,
        site_ids=sites if role == "site_lead" else [],
        funder_id=funder_id,
        user_id=user.id,
        organisation_id=organisation_id,
        regions=list(regions),
    )
    if fields:
        raise ValidationFailed(fields)
    sessions_end = bool(password) or role != user.role or (user.active and not active)
    if user.active and not active:
        revoke_all_tokens(user)
    user.name = name.strip()
    user.role = role
    user.active = active
    user.funder_id = funder_id if role == "funder" else None
    user.organisation_id = None if role == "funder" else organisation_id
    if password:
        user.set_password(password)
    _set_trainer_regions(user, regions)
    wanted = set(sites) if role == "site_lead" else set()
    current = {
        link.site_id: link
        for link in db.session.scalars(sa.select(UserSite).where(UserSite.user_id == user.id))
    }
    for site_id, link in current.items():
        if site_id not in wanted:
            db.session.delete(link)
    db.session.add_all(
        UserSite(user_id=user.id, site_id=site_id) for site_id in wanted - current.keys()
    )
    db.session.flush()
    if sessions_end:
        end_all_sessions(user)
    return user


def invite_user(
    *,
    email: str,
    name: str,
    role: str,
    site_ids: Iterable[int] = (),
    funder_id: int | None = None,
    invited_by: User | None = None,
    organisation_id: int | None = None,
    regions: Iterable[str] = (),
) -> User:
    """A new user with their role and scope, and no password yet: they are e-mailed a link
    (single use, INVITATION_DAYS) to set one, sent once the caller commits."""
    user = create_user(
        email=email,
        name=name,
        role=role,
        password=None,
        site_ids=site_ids,
        funder_id=funder_id,
        organisation_id=organisation_id,
        regions=regions,
    )
    send_new_invitation(user, invited_by)
    return user


def send_new_invitation(user: User, invited_by: User | None = None) -> None:
    """Invite `user` (again): a new link replaces any earlier one. Only for someone who has not
    set a password yet and may log in."""
    if user.has_password:
        raise ValidationFailed({"_": ["This user has set a password already: no invitation"]})
    if not user.active:
        raise ValidationFailed({"_": ["This user is inactive: make them active first"]})
    _, secret = issue_link(user, INVITATION)
    send_invitation(user, secret, invited_by, current_app.config["INVITATION_DAYS"])
