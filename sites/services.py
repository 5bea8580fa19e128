"""Writes on organisations, sites and designations: validate, change, flush; the caller commits."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from core.errors import Fields, ValidationFailed
from core.extensions import db
from core.records import apply, check_version
from sites.models import ORGANISATION_KINDS, REGIONS, Designation, Organisation, Site

ORGANISATION_FIELDS = ("name", "kind", "ods_code", "region")
SITE_FIELDS = (
    "organisation_id",
    "name",
    "locality",
    "region",
    "launched_on",
    "closed_on",
    "latitude",
    "longitude",
)


def _organisation_errors(data: dict[str, Any], organisation_id: int | None) -> Fields:
    fields: Fields = {}
    name = (data.get("name") or "").strip()
    if not name:
        fields["name"] = ["Enter the organisation's name"]
    elif db.session.scalar(
        sa.select(Organisation.id).where(
            sa.func.lower(Organisation.name) == name.lower(),
            Organisation.id != (organisation_id or 0),
        )
    ):
        fields["name"] = ["An organisation with this name already exists"]
    if data.get("kind") not in ORGANISATION_KINDS:
        fields["kind"] = [f"Choose one of: {', '.join(ORGANISATION_KINDS)}"]
    if data.get("region") not in REGIONS:
        fields["region"] = [f"Choose one of: {', '.join(REGIONS)}"]
    ods_code = data.get("ods_code")
    if ods_code:
        if not ods_code.isalnum() or len(ods_code) > 10:
            fields["ods_code"] = ["An ODS code is letters and digits, 10 at most, like RXE"]
        elif db.session.scalar(
            sa.select(Organisation.id).where(
                Organisation.ods_code == ods_code, Organisation.id != (organisation_id or 0)
            )
        ):
            fields["ods_code"] = ["Another organisation has this ODS code"]
    return fields


def _clean_organisation(data: dict[str, Any]) -> dict[str, Any]:
    clean = {key: data.get(key) for key in ORGANISATION_FIELDS if key in data}
    if "name" in clean and clean["name"]:
        clean["name"] = clean["name"].strip()
    if "ods_code" in clean:
        clean["ods_code"] = (clean["ods_code"] or "").strip().upper() or None
    return clean


def create_organisation(data: dict[str, Any]) -> Organisation:
    clean = _clean_organisation(data)
    fields = _organisation_errors(clean, None)
    if fields:
        raise ValidationFailed(fields)
    organisation = Organisation(**clean)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(
    organisation: Organisation, data: dict[str, Any], version: int | None = None
) -> Organisation:
    check_version(organisation, version)
    clean = _clean_organisation(data)
    merged = {key: getattr(organisation, key) for key in ORGANISATION_FIELDS} | clean
    fields = _organisation_errors(merged, organisation.id)
    if fields:
        raise ValidationFailed(fields)
    apply(organisation, clean)
    db.session.flush()
    return organisation


def _site_errors(data: dict[str, Any], site_id: int | None) -> Fields:
    fields: Fields = {}
    name = (data.get("name") or "").strip()
    organisation_id = data.get("organisation_id")
    if organisation_id is None or db.session.get(Organisation, organisation_id) is None:
        fields["organisation_id"] = ["Choose the organisation that runs this service"]
    if not name:
        fields["name"] = ["Enter the service's name"]
    elif organisation_id and db.session.scalar(
        sa.select(Site.id).where(
            Site.organisation_id == organisation_id,
            sa.func.lower(Site.name) == name.lower(),
            Site.id != (site_id or 0),
        )
    ):
        fields["name"] = ["This organisation already has a site with this name"]
    if data.get("region") not in REGIONS:
        fields["region"] = [f"Choose one of: {', '.join(REGIONS)}"]
    launched_on, closed_on = data.get("launched_on"), data.get("closed_on")
    if launched_on and closed_on and closed_on < launched_on:
        fields["closed_on"] = ["The closing date must be on or after the launch date"]
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        fields["latitude"] = ["Latitude must be between -90 and 90"]
    if longitude is not None and not -180 <= longitude <= 180:
        fields["longitude"] = ["Longitude must be between -180 and 180"]
    if (latitude is None) != (longitude is None):
        fields.setdefault("longitude", []).append("Give both latitude and longitude, or neither")
    return fields


def _clean_site(data: dict[str, Any]) -> dict[str, Any]:
    clean = {key: data.get(key) for key in SITE_FIELDS if key in data}
    for key in ("name", "locality"):
        if isinstance(clean.get(key), str):
            clean[key] = clean[key].strip() or None
    return clean


def create_site(data: dict[str, Any]) -> Site:
    clean = _clean_site(data)
    fields = _site_errors(clean, None)
    if fields:
        raise ValidationFailed(fields)
    site = Site(**clean)
    db.session.add(site)
    db.session.flush()
    return site


def update_site(site: Site, data: dict[str, Any], version: int | None = None) -> Site:
    check_version(site, version)
    clean = _clean_site(data)
    merged = {key: getattr(site, key) for key in SITE_FIELDS} | clean
    fields = _site_errors(merged, site.id)
    if fields:
        raise ValidationFailed(fields)
    apply(site, clean)
    db.session.flush()
    return site


def add_designation(site: Site, awarded_on: date, ended_on: date | None = None) -> Designation:
    if ended_on is not None and ended_on < awarded_on:
        raise ValidationFailed({"ended_on": ["The end date must be on or after the award date"]})
    if awarded_on > date.today():
        raise ValidationFailed({"awarded_on": ["The award date cannot be in the future"]})
    designation = Designation(site_id=site.id, awarded_on=awarded_on, ended_on=ended_on)
    db.session.add(designation)
    db.session.flush()
    return designation
